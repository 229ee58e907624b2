package bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * How long a committed change takes to be stored in S3, under a steady trickle: a writer commits 800
 * changes a second in transactions of 10 on a fixed schedule while trip-pipeline runs with
 * {@code pipeline.lake.flush-interval=5s}. An event's latency is its Parquet file's store time minus
 * its {@code __source_ts_ms} (the commit time Debezium reports).
 *
 * <p>The store time is the file's modification time in S3Proxy's filesystem store: jclouds writes
 * the object to a temporary file, checks it and renames it into place before answering the upload,
 * so the time of its last byte is a hair before the object is visible. Nothing polls the bucket.
 */
final class LatencyProbe {

    private static final int SEED_ROWS = 10_000;
    private static final int CHANGES_PER_SECOND = 800;
    private static final int CHANGES_PER_TRANSACTION = 10;

    private final BenchSettings settings;
    private final CdcSystem pipeline;
    private final TripTable table;
    private final KafkaProgress kafka;
    private final Turn turn;

    LatencyProbe(BenchSettings settings, CdcSystem pipeline, TripTable table, KafkaProgress kafka, Turn turn) {
        this.settings = settings;
        this.pipeline = pipeline;
        this.table = table;
        this.kafka = kafka;
        this.turn = turn;
    }

    /** Returns the markdown paragraph of the result. */
    String run() throws Exception {
        table.recreate(SEED_ROWS);
        Pace pace;
        RunningSystem running = pipeline.start(turn);
        try {
            KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInLake(turn), SEED_ROWS, "the seed rows in the lake");
            pace = writeOnSchedule(running);
            // no deletes, so no tombstones: one event per change
            KafkaProgress.awaitAtLeast(running, () -> kafka.eventsInLake(turn), SEED_ROWS + pace.changes(),
                    "the writer's changes in the lake");
        } finally {
            running.close();
        }
        table.dropSlotAndPublication(turn.slot(), turn.publication());
        kafka.deleteTopicsOf(turn);

        Map<String, Double> storedAtMillis = storeTimes(settings.s3Directory().resolve(turn.bucket()));
        double[] latencies = latenciesInSeconds(settings.s3Directory().resolve(turn.bucket()), storedAtMillis);
        if (latencies.length != pace.changes()) {
            throw new IllegalStateException("the lake holds " + latencies.length + " of the writer's " + pace.changes() + " changes");
        }
        Arrays.sort(latencies);
        String result = String.format("""
                Latency of trip-pipeline (pipeline.lake.flush-interval=5s): a writer committed %,d changes (inserts and updates, \
                half each) at %,d changes/s in transactions of %d for %d s, on a fixed schedule (achieved %,.0f changes/s, at most \
                %.0f ms behind schedule), onto %,d seed rows. Latency = the S3 object's store time (its file's modification time in \
                S3Proxy's filesystem store) minus the event's `__source_ts_ms` (commit time), over %,d events in %,d files:

                | p50 | p95 | p99 | max |
                | --- | --- | --- | --- |
                | %.2f s | %.2f s | %.2f s | %.2f s |
                """, pace.changes(), CHANGES_PER_SECOND, CHANGES_PER_TRANSACTION, settings.latencySeconds(), pace.achievedPerSecond(),
                pace.maxBehindMillis(), SEED_ROWS, latencies.length, storedAtMillis.size(),
                percentile(latencies, 50), percentile(latencies, 95), percentile(latencies, 99), latencies[latencies.length - 1]);
        System.out.println(result);
        return result;
    }

    private record Pace(int changes, double achievedPerSecond, double maxBehindMillis) {
    }

    /**
     * Transaction k starts at start + k x 12.5 ms whatever the previous one took (a late
     * transaction is not followed by a pause), so the load stays 800 changes/s instead of drifting
     * below it when commits slow down.
     */
    private Pace writeOnSchedule(RunningSystem running) throws Exception {
        int transactions = settings.latencySeconds() * CHANGES_PER_SECOND / CHANGES_PER_TRANSACTION;
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) * CHANGES_PER_TRANSACTION / CHANGES_PER_SECOND;
        Random random = new Random(7);
        long maxId = table.maxTripId();
        long maxBehindNanos = 0;
        try (Connection writer = DriverManager.getConnection(settings.jdbcUrl(), "postgres", "");
                PreparedStatement insert = writer.prepareStatement(
                        "INSERT INTO public.trip (vehicle_id, started_at) VALUES (?, now())");
                PreparedStatement update = writer.prepareStatement(
                        "UPDATE public.trip SET ended_at = now(), distance_km = ?, fare = ? WHERE trip_id = ?")) {
            writer.setAutoCommit(false);
            long start = System.nanoTime();
            for (int k = 0; k < transactions; k++) {
                long due = start + k * intervalNanos;
                long early = due - System.nanoTime();
                if (early > 0) {
                    LockSupport.parkNanos(early);
                } else {
                    maxBehindNanos = Math.max(maxBehindNanos, -early);
                }
                for (int change = 0; change < CHANGES_PER_TRANSACTION; change++) {
                    if (random.nextBoolean()) {
                        insert.setString(1, "vehicle-" + random.nextInt(2000));
                        insert.executeUpdate();
                        maxId++;
                    } else {
                        update.setBigDecimal(1, BigDecimal.valueOf(random.nextInt(100000), 3));
                        update.setBigDecimal(2, BigDecimal.valueOf(random.nextInt(10000), 2));
                        update.setLong(3, 1 + (long) (random.nextDouble() * maxId));
                        update.executeUpdate();
                    }
                }
                writer.commit();
                if (k % CHANGES_PER_SECOND == 0) {
                    running.checkAlive();
                }
            }
            int changes = transactions * CHANGES_PER_TRANSACTION;
            return new Pace(changes, changes / SideBySideBenchmark.seconds(start, System.nanoTime()), maxBehindNanos / 1e6);
        }
    }

    /** Modification time, in epoch milliseconds with fractions, of every Parquet file in the bucket's directory. */
    private static Map<String, Double> storeTimes(Path bucketDirectory) throws Exception {
        Map<String, Double> times = new HashMap<>();
        try (Stream<Path> files = Files.walk(bucketDirectory.resolve("raw"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                times.put(file.toAbsolutePath().toString(), Files.getLastModifiedTime(file).to(TimeUnit.MICROSECONDS) / 1000.0);
            }
        }
        return times;
    }

    /** The writer's events (inserts and updates; the seed rows' snapshot events are 'r') with their latency in seconds. */
    private static double[] latenciesInSeconds(Path bucketDirectory, Map<String, Double> storedAtMillis) throws Exception {
        String files = bucketDirectory.toAbsolutePath().resolve("raw") + "/**/*.parquet";
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = duckdb.createStatement();
                ResultSet r = s.executeQuery("SELECT filename, __source_ts_ms FROM read_parquet('" + files
                        + "', filename=true, union_by_name=true) WHERE __op IN ('c', 'u')")) {
            double[] latencies = new double[1024];
            int count = 0;
            while (r.next()) {
                Double storedAt = storedAtMillis.get(Path.of(r.getString(1)).toAbsolutePath().toString());
                if (storedAt == null) {
                    throw new IllegalStateException("no modification time for " + r.getString(1));
                }
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = (storedAt - r.getLong(2)) / 1000.0;
            }
            return Arrays.copyOf(latencies, count);
        }
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
