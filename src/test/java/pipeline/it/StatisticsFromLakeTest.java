package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import pipeline.stats.LakeTrips;
import pipeline.stats.StatisticsJob;
import pipeline.stats.TripColumns;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;

/**
 * Random change streams (inserts, finishes, moves across month edges, deletes under the default
 * replica identity) go through the real routes; the statistics read back from the lake equal the
 * contract's SQL run on the source table.
 */
class StatisticsFromLakeTest {

    private static final String ZONE = "Europe/Paris";

    @Test
    void statisticsFromTheLakeEqualTheSqlDefinitionOnTheSourceTable() throws Exception {
        String name = "trip_month";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id bigint NOT NULL, "
                + "started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))");
        Random random = new Random(7);
        try (Connection pg = SharedServers.postgres()) {
            insertTrips(pg, random, 1, 800);
            try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.timezone", ZONE).start()) {
                insertTrips(pg, random, 801, 1200);
                changeTrips(pg, random, 1200);
                Lake lake = new Lake(pipeline.bucket, pipeline.table);
                awaitLakeHasTable(lake, pg, name);

                S3Client s3 = SharedServers.s3();
                StatisticsJob job = new StatisticsJob(s3, pipeline.bucket, pipeline.table,
                        new LakeTrips(new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km"), ZoneId.of(ZONE),
                                null));
                for (String month : List.of("2024-03", "2024-04")) {
                    StatisticsJob.Summary summary = job.run(YearMonth.parse(month), true, StatisticsJob.Reason.ON_DEMAND);
                    List<List<Object>> expected = contractRows(pg, "public." + name, month, ZONE);
                    assertThat(expected).hasSizeGreaterThan(10);
                    assertEqualToContract(readResult(s3, pipeline.bucket, month), expected);
                    assertThat(summary.vehicles()).isEqualTo(expected.size());

                    JsonNode manifest = new ObjectMapper().readTree(s3.getObjectAsBytes(r -> r.bucket(pipeline.bucket)
                            .key(String.format("stats/vehicle_monthly/year=2024/month=%s/_SUCCESS", month.substring(5)))).asByteArray());
                    assertThat(manifest.path("month").asText()).isEqualTo(month);
                    assertThat(manifest.path("vehicles").asInt()).isEqualTo(expected.size());
                    assertThat(manifest.path("trips").asLong())
                            .isEqualTo(expected.stream().mapToLong(r -> ((Number) r.get(2)).longValue()).sum());
                }

                // the command line re-runs a month: it replaces the result, and still equals the SQL
                Process command = pipeline.statsCommand("2024-03");
                assertThat(command.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(command.exitValue()).as(output).isZero();
                // stdout and stderr together: the summary and nothing else
                assertThat(output.lines().toList()).singleElement().asString().startsWith("statistics for 2024-03: ")
                        .doesNotContain("caught up");
                assertEqualToContract(readResult(s3, pipeline.bucket, "2024-03"), contractRows(pg, "public." + name, "2024-03", ZONE));

                // bad input: one line, non-zero exit, and the published month stays as it was
                String garbage = "raw/public.trip_month/year=2024/month=03/day=01/not-parquet.parquet";
                s3.putObject(r -> r.bucket(pipeline.bucket).key(garbage),
                        software.amazon.awssdk.core.sync.RequestBody.fromString("garbage"));
                assertFailsWithOneLine(pipeline.statsCommand("2024-03"), "unreadable lake file");
                s3.deleteObject(r -> r.bucket(pipeline.bucket).key(garbage));
                assertFailsWithOneLine(pipeline.with("pipeline.stats.distance-column", "distance_miles").statsCommand("2024-03"),
                        "column distance_miles is not in the lake files");
                assertEqualToContract(readResult(s3, pipeline.bucket, "2024-03"), contractRows(pg, "public." + name, "2024-03", ZONE));
            }
        }
    }

    private static void assertFailsWithOneLine(Process command, String reason) throws Exception {
        assertThat(command.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        List<String> lines = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(command.exitValue()).isEqualTo(1);
        assertThat(lines).singleElement().asString().startsWith("trip-pipeline stats: 2024-03 failed: ").contains(reason);
    }

    private static void insertTrips(Connection pg, Random random, int fromId, int toId) throws Exception {
        // starts from Feb 27 to May 3 (UTC): month edges, the DST change of Mar 31 in Paris
        Instant from = Instant.parse("2024-02-27T00:00:00Z");
        long span = Duration.between(from, Instant.parse("2024-05-03T00:00:00Z")).getSeconds();
        try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public.trip_month VALUES (?, ?, ?, ?, ?)")) {
            for (int id = fromId; id <= toId; id++) {
                Instant start = from.plusSeconds((long) (random.nextDouble() * span)).plusNanos(random.nextInt(1_000_000) * 1000L);
                int shape = random.nextInt(6);
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(25));
                insert.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                insert.setObject(4, shape == 0
                        ? null
                        : OffsetDateTime.ofInstant(
                                shape == 1 ? start.minusSeconds(30) : start.plusSeconds(random.nextInt(7200)), ZoneOffset.UTC));
                insert.setObject(5, shape == 2 ? null : java.math.BigDecimal.valueOf(random.nextInt(80_000), 3));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void changeTrips(Connection pg, Random random, int maxId) throws Exception {
        try (Statement statement = pg.createStatement()) {
            for (int i = 0; i < 400; i++) {
                long id = 1 + random.nextInt(maxId);
                switch (random.nextInt(4)) {
                    case 0 -> statement.execute("UPDATE public.trip_month SET ended_at = started_at + interval '37 minutes', "
                            + "distance_km = " + random.nextInt(50) + ".125 WHERE trip_id = " + id);
                    case 1 -> statement.execute("UPDATE public.trip_month SET started_at = started_at + interval '"
                            + (random.nextBoolean() ? "" : "-") + (1 + random.nextInt(20)) + " days' WHERE trip_id = " + id);
                    case 2 -> statement.execute("DELETE FROM public.trip_month WHERE trip_id = " + id);
                    default -> statement.execute("UPDATE public.trip_month SET vehicle_id = " + (1 + random.nextInt(25))
                            + " WHERE trip_id = " + id);
                }
            }
        }
    }

    static void awaitLakeHasTable(Lake lake, Connection pg, String name) throws Exception {
        List<List<String>> expected;
        try (Statement statement = pg.createStatement()) {
            expected = Lake.rows(statement.executeQuery("SELECT trip_id, vehicle_id, (extract(epoch FROM started_at) * 1000000)::bigint "
                    + "FROM public." + name + " ORDER BY trip_id"));
        }
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                () -> assertThat(lake.query("SELECT trip_id, vehicle_id, epoch_us(started_at) FROM " + Lake.LATEST + " ORDER BY trip_id"))
                        .isEqualTo(expected));
    }

    private static List<List<Object>> readResult(S3Client s3, String bucket, String month) throws Exception {
        Path file = Files.createTempFile("stats", ".parquet");
        Files.write(file, s3.getObjectAsBytes(r -> r.bucket(bucket)
                .key(String.format("stats/vehicle_monthly/year=%s/month=%s/part-00000.parquet", month.substring(0, 4), month.substring(5))))
                .asByteArray());
        return readResultFile(file);
    }

    /** The published statistics of a month, read with DuckDB: 14 columns per vehicle, instants as epoch micros. */
    static List<List<Object>> readResult(Lake lake, String month) throws Exception {
        return readResultFile(lake.download(String.format("stats/vehicle_monthly/year=%s/month=%s/part-00000.parquet",
                month.substring(0, 4), month.substring(5))));
    }

    private static List<List<Object>> readResultFile(Path file) throws Exception {
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duckdb.createStatement();
                ResultSet result = statement.executeQuery("SELECT vehicle_id, month, trip_count, total_distance_km, avg_distance_km, "
                        + "max_distance_km, median_distance_km, total_duration_s, avg_duration_s, p95_duration_s, avg_speed_kmh, "
                        + "epoch_us(first_trip_start), epoch_us(last_trip_end), active_days FROM read_parquet('" + file + "') "
                        + "ORDER BY vehicle_id")) {
            return StatisticsDefinitionTest.statisticsRows(result);
        }
    }

}
