package bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import bench.CpuWindow.CpuShare;

/**
 * Runs the stack trip-pipeline replaces (Kafka Connect + Debezium, {@link PeerConnect}) and
 * trip-pipeline ({@link TripPipeline}) in alternating turns on the same PostgreSQL, Kafka and S3
 * servers, prints each round's figures, the medians and the pipeline/peer ratios, then measures the
 * pipeline's change-to-S3 latency once ({@link LatencyProbe}). bench/run.sh starts the servers and
 * calls this; see BENCHMARKS.md for the method.
 */
public final class SideBySideBenchmark {

    private static final long IDLE_SETTLE_MILLIS = 30_000;
    private static final long IDLE_MEASURE_MILLIS = 30_000;

    private final BenchSettings settings;
    /** Makes every turn's topics, slot, group and bucket names unique to this run. */
    private final String runId = "b" + Long.toString(System.currentTimeMillis() / 1000 % 1_000_000_000L, 36);

    private SideBySideBenchmark(BenchSettings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        new SideBySideBenchmark(BenchSettings.parse(args)).run();
    }

    private void run() throws Exception {
        Instant began = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        CdcSystem peer = new PeerConnect(settings);
        CdcSystem pipeline = new TripPipeline(settings);
        List<TurnFigures> figures = new ArrayList<>();
        String verification;
        String latency;
        String postgresVersion;
        try (TripTable table = new TripTable(settings.jdbcUrl()); KafkaProgress kafka = new KafkaProgress(settings.kafkaBrokers())) {
            postgresVersion = table.serverVersion();
            int lastPipelineRound = settings.rounds();
            String verified = null;
            for (int round = 1; round <= settings.rounds(); round++) {
                // odd rounds start with the peer, even rounds with the pipeline: neither always runs on a fresher machine
                List<CdcSystem> order = round % 2 == 1 ? List.of(peer, pipeline) : List.of(pipeline, peer);
                for (int position = 1; position <= 2; position++) {
                    CdcSystem system = order.get(position - 1);
                    boolean verifyLake = system == pipeline && round == lastPipelineRound;
                    Turn turn = new Turn(runId, round, system.name());
                    System.out.printf("%n== round %d of %d, %s (%s) ==%n", round, settings.rounds(), system.name(), turn.id());
                    TurnResult result = runTurn(system, turn, position, table, kafka, verifyLake);
                    figures.add(result.figures());
                    if (result.verification() != null) {
                        verified = result.verification();
                    }
                }
            }
            verification = verified;
            System.out.printf("%n== latency, trip-pipeline ==%n");
            latency = new LatencyProbe(settings, pipeline, table, kafka, new Turn(runId, 0, "latency")).run();
        }
        publish(began, postgresVersion, figures, verification, latency);
    }

    private record TurnResult(TurnFigures figures, String verification) {
    }

    private TurnResult runTurn(CdcSystem system, Turn turn, int position, TripTable table, KafkaProgress kafka, boolean verifyLake)
            throws Exception {
        int n = settings.rows();
        table.recreate(n);
        TurnFigures figures;
        String verification = null;
        RunningSystem running = system.start(turn);
        try {
            long launched = running.startedNanos();
            long firstEvent = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInKafka(turn), 1, "the first event in Kafka");
            CpuWindow snapshotWindow = CpuWindow.open(running.pid());
            long snapshotInKafka = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInKafka(turn), n, "the snapshot in Kafka");
            CpuShare snapshotCpu = snapshotWindow.close(n);
            double snapshotToLake = Double.NaN;
            if (system.writesLake()) {
                long snapshotInLake = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInLake(turn), n, "the snapshot in the lake");
                snapshotToLake = rate(n, firstEvent, snapshotInLake);
            }
            System.out.printf("snapshot of %,d rows: first event %.1f s after launch, into Kafka %,.0f events/s%s%n", n,
                    seconds(launched, firstEvent), rate(n, firstEvent, snapshotInKafka), lakeNote(snapshotToLake));

            long copyStart = System.nanoTime();
            CpuWindow streamedWindow = CpuWindow.open(running.pid());
            table.copyRows(n);
            long copied = System.nanoTime();
            long streamedInKafka = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInKafka(turn), 2L * n, "the COPY in Kafka");
            CpuShare streamedCpu = streamedWindow.close(n);
            double streamedToLake = Double.NaN;
            if (system.writesLake()) {
                long streamedInLake = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInLake(turn), 2L * n, "the COPY in the lake");
                streamedToLake = rate(n, copyStart, streamedInLake);
            }
            System.out.printf("COPY of %,d rows (%.1f s itself): into Kafka %,.0f events/s%s%n", n, seconds(copyStart, copied),
                    rate(n, copyStart, streamedInKafka), lakeNote(streamedToLake));
            System.out.printf("CPU per event until Kafka had it, this system + the rest of the machine: snapshot %s, streamed %s%n",
                    cpuNote(snapshotCpu), cpuNote(streamedCpu));

            // quiet first, so what is measured is idling (heartbeats, polls, timers), not the end of the work above
            Thread.sleep(IDLE_SETTLE_MILLIS);
            running.checkAlive();
            double cpuBefore = ProcessUsage.cpuSeconds(running.pid());
            Map<String, Double> compilersBefore = ProcessUsage.compilerThreadCpuSeconds(running.pid());
            long idleStart = System.nanoTime();
            Thread.sleep(IDLE_MEASURE_MILLIS);
            double idleSeconds = seconds(idleStart, System.nanoTime());
            double idleCpuPercent = 100 * (ProcessUsage.cpuSeconds(running.pid()) - cpuBefore) / idleSeconds;
            double idleCompilersPercent = 100
                    * ProcessUsage.compilerCpuSecondsBetween(compilersBefore, ProcessUsage.compilerThreadCpuSeconds(running.pid()))
                    / idleSeconds;
            double rssMiB = ProcessUsage.residentMiB(running.pid());
            System.out.printf("idle: %.2f %% of one core, %.2f %% of it on the JIT compiler threads; RSS %,.0f MB%n", idleCpuPercent,
                    idleCompilersPercent, rssMiB);

            figures = new TurnFigures(turn.round(), position, system.name(), seconds(launched, firstEvent),
                    rate(n, firstEvent, snapshotInKafka), snapshotToLake, seconds(copyStart, copied),
                    rate(n, copyStart, streamedInKafka), streamedToLake, snapshotCpu, streamedCpu, idleCpuPercent, idleCompilersPercent,
                    rssMiB);

            if (verifyLake) {
                applyMixedChangesAndWait(running, table, kafka);
            }
        } finally {
            running.close();
        }
        table.dropSlotAndPublication(turn.slot(), turn.publication());
        if (verifyLake) {
            verification = LakeVerification.verify(table.connection(), settings.s3Endpoint(), turn.bucket(),
                    settings.workDirectory().resolve("verify-" + turn.id()));
            System.out.println(verification);
        }
        kafka.deleteTopicsOf(turn);
        return new TurnResult(figures, verification);
    }

    /** The verification turn also gets updates and deletes, which the snapshot and COPY lack. */
    private void applyMixedChangesAndWait(RunningSystem running, TripTable table, KafkaProgress kafka) throws Exception {
        if (settings.mixedChanges() == 0) {
            return;
        }
        Turn turn = running.turn();
        long start = System.nanoTime();
        String lastChange = table.applyMixedChanges(settings.mixedChanges());
        // the slot confirms a position once Debezium's offsets, and so Kafka, hold every change before it
        KafkaProgress.awaitAtLeast(running, () -> table.slotConfirmed(turn.slot(), lastChange) ? 1 : 0, 1, "the slot's confirmed position");
        long done = KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInLake(turn) >= kafka.eventsInKafka(turn) ? 1 : 0, 1,
                "the lake writer's committed offset");
        System.out.printf(
                "%,d mixed changes (inserts, updates, deletes in transactions of 100) reached the lake %.1f s after they started%n",
                settings.mixedChanges(), seconds(start, done));
    }

    private void publish(Instant began, String postgresVersion, List<TurnFigures> figures, String verification, String latency)
            throws Exception {
        SideBySideReport report = new SideBySideReport(figures);
        String section = String.format("""

                ### Run of %s

                - Machine: %s
                - Servers: %s; Kafka 3.9.1 and S3Proxy in one JVM, all on this machine
                - Command: `%s` (%,d rows, %d round(s))

                Medians over the rounds, (min-max) beside them; ratio = trip-pipeline / peer.

                %s
                Each round:

                %s
                %s

                %s
                """, began, machine(), postgresVersion, settings.commandLine(), settings.rows(), settings.rounds(),
                report.summaryTable(), report.roundsTable(), verification, latency);
        System.out.println(section);
        if (!settings.record()) {
            System.out.println("(not appended to " + settings.reportFile() + ": recording is off)");
        } else if (!settings.pipelineJavaOptions().isEmpty() || !settings.peerJavaOptions().isEmpty()) {
            System.out.println("(not appended to " + settings.reportFile() + ": a system ran with extra JVM options "
                    + settings.pipelineJavaOptions() + " " + settings.peerJavaOptions() + ")");
        } else if (settings.rounds() < 3) {
            System.out.println("(not appended to " + settings.reportFile() + ": a recorded run needs at least 3 rounds)");
        } else {
            Files.writeString(settings.reportFile(), section, StandardOpenOption.APPEND);
            System.out.println("(appended to " + settings.reportFile() + ")");
        }
    }

    private static String machine() throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        double memoryGiB = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() / 1073741824.0
                : 0;
        return String.format("%d cores (%s), %.0f GiB, Java %s, Linux %s", Runtime.getRuntime().availableProcessors(), cpu, memoryGiB,
                System.getProperty("java.version"), System.getProperty("os.version"));
    }

    private static String lakeNote(double lakeRate) {
        return Double.isNaN(lakeRate) ? "" : String.format("; into Parquet on S3 %,.0f events/s", lakeRate);
    }

    private static String cpuNote(CpuShare cpu) {
        return String.format("%.1f + %.1f us (cores %.0f %% busy)", cpu.systemMicrosPerEvent(), cpu.restMicrosPerEvent(),
                cpu.machineBusyPercent());
    }

    static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    static double rate(long events, long fromNanos, long toNanos) {
        return events / seconds(fromNanos, toNanos);
    }
}
