package bench;

import java.io.File;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.PGConnection;
import pipeline.dev.DevServers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Runs {@code java -jar target/trip-pipeline.jar} against a Postgres, Kafka and S3 given on the
 * command line and measures events/s for a snapshot of N rows and a COPY of N rows streamed after
 * start-up, into Kafka and into Parquet on S3; then applies mixed changes and checks that the
 * lake's reconstructed latest state equals the table, column by column.
 */
public final class PipelineBenchmark {

    private static final String TABLE = "public.trip";

    private final String jdbcUrl;
    private final String brokers;
    private final String s3Endpoint;
    private final String jar;
    private final int rows;
    private final int mixedChanges;
    private final String prefix = "bench" + System.currentTimeMillis() % 100000;
    private final String bucket = "bench-lake-" + prefix;
    private final StringBuilder report = new StringBuilder();

    private PipelineBenchmark(String[] args) {
        jdbcUrl = args[0];
        brokers = args[1];
        s3Endpoint = args[2];
        jar = args[3];
        rows = Integer.parseInt(args[4]);
        mixedChanges = Integer.parseInt(args[5]);
    }

    public static void main(String[] args) throws Exception {
        new PipelineBenchmark(args).run(Path.of(args[6]));
    }

    private void run(Path reportFile) throws Exception {
        try (Connection pg = DriverManager.getConnection(jdbcUrl, "postgres", "");
             Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
            prepareTable(pg);
            insertSnapshotRows(pg);
            TopicPartition topic = new TopicPartition(prefix + "." + TABLE, 0);
            LongSupplier inKafka = () -> endOffset(admin, topic);
            LongSupplier inLake = () -> committedOffset(admin, topic);

            Process pipeline = startPipeline();
            try {
                long launched = System.nanoTime();
                long firstEvent = waitFor(inKafka, 1, launched);
                long snapshotKafka = waitFor(inKafka, rows, launched);
                long snapshotLake = waitFor(inLake, rows, launched);
                line("Snapshot of %,d rows: into Kafka %,.0f events/s (%.1f s from the first event, %.1f s from process start); "
                                + "into Parquet on S3 %,.0f events/s (%.1f s from the first event)",
                        rows, rate(rows, firstEvent, snapshotKafka), seconds(firstEvent, snapshotKafka), seconds(launched, snapshotKafka),
                        rate(rows, firstEvent, snapshotLake), seconds(firstEvent, snapshotLake));

                long copyStart = System.nanoTime();
                copyRows(pg);
                long copied = System.nanoTime();
                long streamKafka = waitFor(inKafka, 2L * rows, copyStart);
                long streamLake = waitFor(inLake, 2L * rows, copyStart);
                line("COPY of %,d rows streamed after start-up (COPY itself %.1f s): into Kafka %,.0f events/s (%.1f s); "
                                + "into Parquet on S3 %,.0f events/s (%.1f s)",
                        rows, seconds(copyStart, copied), rate(rows, copyStart, streamKafka), seconds(copyStart, streamKafka),
                        rate(rows, copyStart, streamLake), seconds(copyStart, streamLake));

                long mixedStart = System.nanoTime();
                String lastChange = applyMixedChanges(pg);
                // the slot confirms a position once Debezium's offsets (and so Kafka) hold every change before it
                waitFor(() -> slotConfirmed(pg, lastChange) ? 1 : 0, 1, mixedStart);
                long mixedEnd = waitFor(() -> inLake.getAsLong() >= endOffset(admin, topic) ? 1 : 0, 1, mixedStart);
                line("%,d mixed changes (inserts, updates, deletes in transactions of 100) reached the lake %.1f s after they started",
                        mixedChanges, seconds(mixedStart, mixedEnd));
            } finally {
                pipeline.destroy();
                pipeline.waitFor();
            }
            verifyLakeEqualsTable(pg);
        }
        String machine = String.format("%d cores, %.0f GiB, Java %s, %s", Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                        ? os.getTotalMemorySize() / 1073741824.0 : 0.0, System.getProperty("java.version"), System.getProperty("os.name"));
        String section = "\n## Run of " + Instant.now() + "\n\nMachine: " + machine + ". Source: " + jdbcUrl.replaceAll("//[^/]*/", "//…/")
                + " (" + serverVersion() + ").\n\n" + report;
        Files.writeString(reportFile, section, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        System.out.println(section);
    }

    private String serverVersion() throws Exception {
        try (Connection pg = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement s = pg.createStatement();
             ResultSet r = s.executeQuery("SHOW server_version")) {
            r.next();
            return "PostgreSQL " + r.getString(1);
        }
    }

    private void prepareTable(Connection pg) throws Exception {
        try (Statement s = pg.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'trip_pipeline'");
            s.execute("DROP PUBLICATION IF EXISTS trip_pipeline");
            s.execute("DROP TABLE IF EXISTS " + TABLE);
            s.execute("""
                    CREATE TABLE public.trip (
                        trip_id     bigserial PRIMARY KEY,
                        vehicle_id  text NOT NULL,
                        started_at  timestamptz NOT NULL,
                        ended_at    timestamptz,
                        distance_km numeric(10,3),
                        fare        numeric(8,2))""");
        }
    }

    private void insertSnapshotRows(Connection pg) throws Exception {
        try (Statement s = pg.createStatement()) {
            s.execute("INSERT INTO public.trip (vehicle_id, started_at, ended_at, distance_km, fare) "
                    + "SELECT 'vehicle-' || (i % 2000), timestamptz '2024-01-01' + i * interval '13 seconds', "
                    + "timestamptz '2024-01-01' + i * interval '13 seconds' + interval '17 minutes', (i % 5000) / 100.0, (i % 900) / 10.0 "
                    + "FROM generate_series(1, " + rows + ") AS i");
        }
    }

    private void copyRows(Connection pg) throws Exception {
        StringBuilder csv = new StringBuilder(rows * 80);
        Instant base = Instant.parse("2024-03-01T00:00:00Z");
        for (int i = 0; i < rows; i++) {
            Instant start = base.plusSeconds(i * 7L);
            csv.append("vehicle-").append(i % 2000).append(',').append(start).append(',').append(start.plusSeconds(600))
                    .append(',').append(BigDecimal.valueOf(i % 7000, 2)).append(',').append(BigDecimal.valueOf(i % 500, 1)).append('\n');
        }
        pg.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY public.trip (vehicle_id, started_at, ended_at, distance_km, fare) FROM STDIN WITH (FORMAT csv)",
                new StringReader(csv.toString()));
    }

    private static boolean slotConfirmed(Connection pg, String lsn) {
        try (PreparedStatement query = pg.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = 'trip_pipeline'")) {
            query.setString(1, lsn);
            try (ResultSet r = query.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (Exception e) {
            return false;
        }
    }

    /** Applies the changes and returns the WAL position after the last one. */
    private String applyMixedChanges(Connection pg) throws Exception {
        Random random = new Random(42);
        long maxId;
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SELECT max(trip_id) FROM public.trip")) {
            r.next();
            maxId = r.getLong(1);
        }
        pg.setAutoCommit(false);
        try (PreparedStatement insert = pg.prepareStatement(
                "INSERT INTO public.trip (vehicle_id, started_at) VALUES (?, now() - make_interval(secs => ?))");
             PreparedStatement update = pg.prepareStatement(
                     "UPDATE public.trip SET ended_at = started_at + interval '25 minutes', distance_km = ? WHERE trip_id = ?");
             PreparedStatement delete = pg.prepareStatement("DELETE FROM public.trip WHERE trip_id = ?")) {
            for (int i = 0; i < mixedChanges; i++) {
                int kind = random.nextInt(100);
                if (kind < 40) {
                    insert.setString(1, "vehicle-" + random.nextInt(2000));
                    insert.setInt(2, random.nextInt(86400));
                    insert.executeUpdate();
                } else if (kind < 85) {
                    update.setBigDecimal(1, BigDecimal.valueOf(random.nextInt(100000), 3));
                    update.setLong(2, 1 + (long) (random.nextDouble() * maxId));
                    update.executeUpdate();
                } else {
                    delete.setLong(1, 1 + (long) (random.nextDouble() * maxId));
                    delete.executeUpdate();
                }
                if (i % 100 == 99) {
                    pg.commit();
                }
            }
            pg.commit();
        } finally {
            pg.setAutoCommit(true);
        }
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            r.next();
            return r.getString(1);
        }
    }

    private void verifyLakeEqualsTable(Connection pg) throws Exception {
        Path lake = Files.createTempDirectory("bench-lake");
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(s3Endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY)))
                .build()) {
            List<String> keys = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/")).contents().stream()
                    .map(S3Object::key).filter(k -> k.endsWith(".parquet")).toList();
            for (String key : keys) {
                Path target = lake.resolve(key);
                Files.createDirectories(target.getParent());
                s3.getObject(r -> r.bucket(bucket).key(key), target);
            }
            line("Lake: %,d Parquet files", keys.size());
        }
        String columns = "trip_id, vehicle_id, %s(started_at), %s(ended_at), CAST(distance_km AS VARCHAR), CAST(fare AS VARCHAR)";
        List<String> expected = new ArrayList<>();
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SELECT " + String.format(columns, "epoch_us", "epoch_us")
                .replace("epoch_us(started_at)", "(extract(epoch FROM started_at) * 1000000)::bigint")
                .replace("epoch_us(ended_at)", "(extract(epoch FROM ended_at) * 1000000)::bigint")
                .replace("CAST(distance_km AS VARCHAR)", "distance_km::text").replace("CAST(fare AS VARCHAR)", "fare::text")
                + " FROM public.trip ORDER BY trip_id")) {
            collect(r, expected);
        }
        List<String> actual = new ArrayList<>();
        long events;
        long duplicates;
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duckdb.createStatement()) {
            String events_ = "read_parquet('" + lake + File.separator + "raw/**/*.parquet', hive_partitioning=true, union_by_name=true)";
            try (ResultSet r = s.executeQuery("SELECT " + String.format(columns, "epoch_us", "epoch_us") + " FROM (SELECT *, row_number() OVER "
                    + "(PARTITION BY trip_id ORDER BY __lsn DESC, __kafka_offset DESC) AS version FROM " + events_
                    + ") WHERE version = 1 AND NOT __deleted ORDER BY trip_id")) {
                collect(r, actual);
            }
            try (ResultSet r = s.executeQuery("SELECT count(*), count(*) - count(DISTINCT (__kafka_partition, __kafka_offset)) FROM " + events_)) {
                r.next();
                events = r.getLong(1);
                duplicates = r.getLong(2);
            }
        }
        boolean equal = expected.equals(actual);
        line("Verification: table has %,d rows, lake's latest state has %,d rows, %,d change events stored (%,d stored twice); "
                + "latest state equals the table column by column: %s", expected.size(), actual.size(), events, duplicates, equal ? "YES" : "NO");
        if (!equal) {
            throw new IllegalStateException("the lake does not equal the table");
        }
    }

    private static void collect(ResultSet r, List<String> into) throws Exception {
        int n = r.getMetaData().getColumnCount();
        while (r.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                row.append(r.getObject(i)).append('|');
            }
            into.add(row.toString());
        }
    }

    private Process startPipeline() throws Exception {
        URI pg = URI.create(jdbcUrl.substring("jdbc:".length()));
        ProcessBuilder builder = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx2g", "-jar", jar);
        Map<String, String> env = builder.environment();
        env.put("PIPELINE_PG_HOST", pg.getHost());
        env.put("PIPELINE_PG_PORT", String.valueOf(pg.getPort()));
        env.put("PIPELINE_PG_DATABASE", pg.getPath().substring(1));
        env.put("PIPELINE_KAFKA_BROKERS", brokers);
        env.put("PIPELINE_KAFKA_TOPIC_PREFIX", prefix);
        env.put("PIPELINE_KAFKA_GROUP_ID", prefix + "-lake");
        env.put("PIPELINE_S3_ENDPOINT", s3Endpoint);
        env.put("PIPELINE_S3_BUCKET", bucket);
        env.put("PIPELINE_S3_ACCESS_KEY", DevServers.S3_ACCESS_KEY);
        env.put("PIPELINE_S3_SECRET_KEY", DevServers.S3_SECRET_KEY);
        env.put("PIPELINE_LAKE_FLUSH_INTERVAL", "5s");
        builder.redirectErrorStream(true).redirectOutput(new File("target/bench-pipeline.log"));
        return builder.start();
    }

    private static long endOffset(Admin admin, TopicPartition topic) {
        try {
            return admin.listOffsets(Map.of(topic, OffsetSpec.latest())).partitionResult(topic).get().offset();
        } catch (Exception e) {
            return 0;
        }
    }

    private long committedOffset(Admin admin, TopicPartition topic) {
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(prefix + "-lake").partitionsToOffsetAndMetadata().get().get(topic);
            return committed == null ? 0 : committed.offset();
        } catch (Exception e) {
            return 0;
        }
    }

    private static long waitFor(LongSupplier value, long target, long since) throws InterruptedException {
        long deadline = since + Duration.ofMinutes(20).toNanos();
        while (value.getAsLong() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gave up waiting for " + target + " events after 20 minutes");
            }
            Thread.sleep(100);
        }
        return System.nanoTime();
    }

    private static double seconds(long from, long to) {
        return (to - from) / 1e9;
    }

    private static double rate(long events, long from, long to) {
        return events / seconds(from, to);
    }

    private void line(String format, Object... args) {
        String text = String.format(format, args);
        System.out.println(text);
        report.append("- ").append(text).append('\n');
    }
}
