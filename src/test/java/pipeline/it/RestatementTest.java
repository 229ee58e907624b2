package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.MonthlyStatsRouteTest.manifest;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;
import static pipeline.it.StatisticsFromLakeTest.awaitLakeHasTable;

/**
 * Contract 6.2: two months are published; late changes then reach one of them (late trips, trips
 * finished, one moved out, one deleted, in one transaction). Route restate-stats re-publishes that
 * month once, as revision 2 for reason late-changes, equal to the contract's query; the other month
 * keeps its files and manifest byte for byte, and the restatement metric counts one.
 */
class RestatementTest {

    private static final String ZONE = "UTC";
    private static final YearMonth UNTOUCHED = YearMonth.of(2024, 1);
    private static final YearMonth LATE = YearMonth.of(2024, 2);

    @Test
    void lateChangesRepublishTheirMonthAndLeaveTheOthersAlone() throws Exception {
        String name = "trip_restate";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id bigint NOT NULL, "
                + "started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))");
        try (Connection pg = SharedServers.postgres();
                RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.stats.restate-interval", "2s").start()) {
            Random random = new Random(5);
            insertTrips(pg, name, random, 1, 600, Instant.parse("2023-12-15T00:00:00Z"), 90);
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeHasTable(lake, pg, name);
            for (YearMonth month : List.of(UNTOUCHED, LATE)) {
                Process command = pipeline.statsCommand(month.toString());
                String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(command.waitFor()).as(output).isZero();
                assertThat(manifest(lake, month).path("revision").asLong()).isEqualTo(1);
                assertThat(manifest(lake, month).path("reason").asText()).isEqualTo("on-demand");
            }
            // restatements that find nothing new publish nothing
            awaitRestatements(pipeline, 2);
            double restatedBefore = restatements(pipeline);
            byte[] untouchedFile = download(lake, UNTOUCHED, "part-00000.parquet");
            byte[] untouchedManifest = download(lake, UNTOUCHED, "_SUCCESS");
            assertThat(manifest(lake, LATE).path("revision").asLong()).isEqualTo(1);

            try (Statement statement = pg.createStatement()) {
                pg.setAutoCommit(false);
                insertTrips(pg, name, random, 601, 640, Instant.parse("2024-02-01T00:00:00Z"), 28);
                statement.execute("UPDATE public." + name + " SET ended_at = started_at + interval '41 minutes', distance_km = 12.5 "
                        + "WHERE trip_id IN (SELECT trip_id FROM public." + name + " WHERE ended_at IS NULL "
                        + "AND started_at >= '2024-02-01' AND started_at < '2024-03-01' ORDER BY trip_id LIMIT 10)");
                assertThat(statement.executeUpdate("UPDATE public." + name + " SET started_at = started_at + interval '30 days' "
                        + "WHERE trip_id = (SELECT min(trip_id) FROM public." + name + " WHERE started_at >= '2024-02-03' "
                        + "AND started_at < '2024-02-28')")).as("a trip moved out of February").isEqualTo(1);
                assertThat(statement.executeUpdate("DELETE FROM public." + name + " WHERE trip_id = (SELECT max(trip_id) FROM public."
                        + name + " WHERE started_at >= '2024-02-01' AND started_at < '2024-03-01' AND trip_id <= 600)")).isEqualTo(1);
                pg.commit();
            } finally {
                pg.setAutoCommit(true);
            }
            awaitLakeHasTable(lake, pg, name);

            // Debezium may hand the transaction over in two batches, and a tick between them re-publishes the month
            // with the first part: a third revision then completes it
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> assertEqualToContract(StatisticsFromLakeTest.readResult(lake, LATE.toString()),
                            contractRows(pg, "public." + name, LATE.toString(), ZONE)));
            awaitRestatements(pipeline, 2);
            JsonNode restated = manifest(lake, LATE);
            long revision = restated.path("revision").asLong();
            assertThat(revision).isBetween(2L, 3L);
            assertThat(restated.path("reason").asText()).isEqualTo("late-changes");
            assertThat(download(lake, UNTOUCHED, "part-00000.parquet")).isEqualTo(untouchedFile);
            assertThat(download(lake, UNTOUCHED, "_SUCCESS")).isEqualTo(untouchedManifest);
            assertThat(restatements(pipeline)).as("one restatement counted per revision").isEqualTo(restatedBefore + revision - 1);
            awaitRestatements(pipeline, 2);
            assertThat(manifest(lake, LATE).path("revision").asLong()).as("ticks after the month settled publish nothing")
                    .isEqualTo(revision);
        }
    }

    /** Waits until route restate-stats has completed {@code more} further ticks. */
    private static void awaitRestatements(RunningPipeline pipeline, int more) {
        int done = pipeline.exchangesCompleted("restate-stats");
        await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.exchangesCompleted("restate-stats") >= done + more);
    }

    private static double restatements(RunningPipeline pipeline) throws Exception {
        return pipeline.get("/observe/metrics").body().lines().filter(line -> line.startsWith("pipeline_statistics_restatements_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
    }

    private static byte[] download(Lake lake, YearMonth month, String name) throws Exception {
        Path file = lake
                .download(String.format("stats/vehicle_monthly/year=%04d/month=%02d/%s", month.getYear(), month.getMonthValue(), name));
        try {
            return Files.readAllBytes(file);
        } finally {
            Files.delete(file);
        }
    }

    /** Trips starting over {@code days} days, a fifth of them not finished yet. */
    private static void insertTrips(Connection pg, String name, Random random, int fromId, int toId, Instant from, int days)
            throws Exception {
        try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public." + name + " VALUES (?, ?, ?, ?, ?)")) {
            for (int id = fromId; id <= toId; id++) {
                Instant start = from.plusSeconds((long) (random.nextDouble() * days * 86_400));
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(12));
                insert.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                insert.setObject(4,
                        random.nextInt(5) == 0 ? null : OffsetDateTime.ofInstant(start.plusSeconds(random.nextInt(5400)), ZoneOffset.UTC));
                insert.setObject(5, java.math.BigDecimal.valueOf(random.nextInt(60_000), 3));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
