package bench;

import bench.CpuWindow.CpuShare;

/**
 * What one turn measured. Rates are events per second; the lake rates are NaN for the peer, which
 * stops at Kafka.
 *
 * @param order                    1 when the system ran first in its round, 2 when second
 * @param startToFirstEventSeconds from launching the JVM to the first event on the change topic
 * @param snapshotToKafka          N / time from the first event until the topic's end offset reached N
 * @param snapshotToLake           N / time from the first event until the lake writer's committed offset reached N
 * @param copySeconds              how long the COPY of N more rows itself took
 * @param streamedToKafka          N / time from the start of the COPY until the end offset reached 2N
 * @param streamedToLake           N / time from the start of the COPY until the committed offset reached 2N
 * @param snapshotCpu              CPU of the system and of the rest of the machine per event, from the first event until Kafka had N
 * @param streamedCpu              the same, from the start of the COPY until Kafka had 2N
 * @param idleCpuPercent           CPU used over 30 s of idling (after 30 s of quiet), in % of one core
 * @param idleCompilersCpuPercent  the part of it the JVM's JIT compiler threads used
 * @param rssMiB                   VmRSS after the run, before the system is stopped
 */
record TurnFigures(
        int round,
        int order,
        String system,
        double startToFirstEventSeconds,
        double snapshotToKafka,
        double snapshotToLake,
        double copySeconds,
        double streamedToKafka,
        double streamedToLake,
        CpuShare snapshotCpu,
        CpuShare streamedCpu,
        double idleCpuPercent,
        double idleCompilersCpuPercent,
        double rssMiB) {

    double idleCpuWithoutCompilersPercent() {
        return idleCpuPercent - idleCompilersCpuPercent;
    }
}
