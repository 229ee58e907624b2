package bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import bench.CpuWindow.CpuShare;

/** The per-round figures and the summary table of medians, ranges and pipeline/peer ratios, as markdown. */
final class SideBySideReport {

    private final List<TurnFigures> turns;

    SideBySideReport(List<TurnFigures> turns) {
        this.turns = turns;
    }

    String roundsTable() {
        StringBuilder table = new StringBuilder("""
                | round | system | ran | start -> first event, s | snapshot -> Kafka, events/s | snapshot -> Parquet in S3, events/s \
                | COPY itself, s | streamed -> Kafka, events/s | streamed -> Parquet in S3, events/s \
                | snapshot: CPU per event, us, system + rest (cores busy) | streamed: CPU per event, us, system + rest (cores busy) \
                | idle CPU, % of a core (of it JIT compilers) | RSS, MB |
                | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
                """);
        for (TurnFigures t : turns) {
            table.append(String.format("| %d | %s | %s | %.1f | %s | %s | %.1f | %s | %s | %s | %s | %.2f (%.2f) | %,.0f |%n",
                    t.round(), label(t.system()), t.order() == 1 ? "first" : "second", t.startToFirstEventSeconds(),
                    rate(t.snapshotToKafka()), rate(t.snapshotToLake()), t.copySeconds(),
                    rate(t.streamedToKafka()), rate(t.streamedToLake()), cpu(t.snapshotCpu()), cpu(t.streamedCpu()),
                    t.idleCpuPercent(), t.idleCompilersCpuPercent(), t.rssMiB()));
        }
        return table.toString();
    }

    String summaryTable() {
        return """
                | | peer (Connect + Debezium) | trip-pipeline | ratio |
                | --- | --- | --- | --- |
                """
                + row("snapshot -> Kafka, events/s", TurnFigures::snapshotToKafka, TurnFigures::snapshotToKafka, "%,.0f", "", "")
                + row("streamed COPY -> Kafka, events/s", TurnFigures::streamedToKafka, TurnFigures::streamedToKafka, "%,.0f", "", "")
                // the peer's line ends in Kafka: the lake rates are set against its rates into Kafka
                + row("snapshot -> Parquet in S3 (committed), events/s", TurnFigures::snapshotToKafka, TurnFigures::snapshotToLake, "%,.0f",
                        "into Kafka: ", " (against the peer's snapshot -> Kafka)")
                + row("streamed COPY -> Parquet in S3 (committed), events/s", TurnFigures::streamedToKafka, TurnFigures::streamedToLake,
                        "%,.0f",
                        "into Kafka: ", " (against the peer's streamed -> Kafka)")
                + cpuRows("snapshot -> Kafka", TurnFigures::snapshotCpu)
                + cpuRows("streamed COPY -> Kafka", TurnFigures::streamedCpu)
                + same("idle CPU, % of one core", TurnFigures::idleCpuPercent, "%.2f", " (lower is better)")
                // compiling the paths only an idle process runs is one-off work that may or may not fall into the window
                + same("idle CPU without the JIT compiler threads, % of one core", TurnFigures::idleCpuWithoutCompilersPercent, "%.2f",
                        " (lower is better)")
                + row("RSS after the run, MB", TurnFigures::rssMiB, TurnFigures::rssMiB, "%,.0f", "", " (lower is better)");
    }

    /** The rows of one window's CPU: the system's and the whole machine's per event, and how busy the cores were. */
    private String cpuRows(String window, Function<TurnFigures, CpuShare> cpu) {
        return same(window + ": CPU per event of the system itself, us", t -> cpu.apply(t).systemMicrosPerEvent(), "%.1f",
                " (lower is better)")
                + same(window + ": CPU per event of the whole machine, us", t -> cpu.apply(t).machineMicrosPerEvent(), "%.1f",
                        " (lower is better)")
                + same(window + ": cores busy, %", t -> cpu.apply(t).machineBusyPercent(), "%.0f", "");
    }

    /** A summary row of a figure both systems have. */
    private String same(String label, ToDoubleFunction<TurnFigures> figure, String format, String ratioNote) {
        return row(label, figure, figure, format, "", ratioNote);
    }

    /** One summary row: medians with their ranges, and the ratio of the medians, pipeline / peer. */
    private String row(String label, ToDoubleFunction<TurnFigures> peerFigure, ToDoubleFunction<TurnFigures> pipelineFigure,
            String format, String peerCellNote, String ratioNote) {
        double[] peer = values("peer", peerFigure);
        double[] pipeline = values("pipeline", pipelineFigure);
        return String.format("| %s | %s%s | %s | %.2f%s |%n", label, peerCellNote, medianAndRange(peer, format),
                medianAndRange(pipeline, format), median(pipeline) / median(peer), ratioNote);
    }

    private double[] values(String system, ToDoubleFunction<TurnFigures> figure) {
        return turns.stream().filter(t -> t.system().equals(system)).mapToDouble(figure).toArray();
    }

    private static String medianAndRange(double[] values, String format) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return String.format(format + " (" + format + "-" + format + ")", median(values), sorted[0], sorted[sorted.length - 1]);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static String rate(double eventsPerSecond) {
        return Double.isNaN(eventsPerSecond) ? "-" : String.format("%,.0f", eventsPerSecond);
    }

    private static String cpu(CpuShare share) {
        return String.format("%.1f + %.1f (%.0f %%)", share.systemMicrosPerEvent(), share.restMicrosPerEvent(), share.machineBusyPercent());
    }

    private static String label(String system) {
        return system.equals("peer") ? "peer" : "trip-pipeline";
    }
}
