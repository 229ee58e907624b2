package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;
import static pipeline.it.StatisticsFromLakeTest.awaitLakeHasTable;

/**
 * Contract 6.1 with the pipeline's default replica identity: a retention job deletes every trip older
 * than 45 days in one DELETE while the pipeline runs; with pipeline.stats.keep-deleted-after=30d the
 * statistics of every affected month still equal the contract's query run on the table as it was
 * before the clean-up, and a delete made days after the trip's start (a correction) still removes it.
 */
class CleanUpDeleteTest {

    private static final String ZONE = "UTC";

    @Test
    void aRetentionDeleteKeepsHistoryAndACorrectionStillRemovesItsTrip() throws Exception {
        String name = "trip_cleanup";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id bigint NOT NULL, "
                + "started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))");
        Instant now = Instant.now();
        List<YearMonth> months = new ArrayList<>();
        for (YearMonth month = YearMonth.from(now.minus(Duration.ofDays(100)).atOffset(ZoneOffset.UTC)); month
                .isBefore(YearMonth.from(now.atOffset(ZoneOffset.UTC))); month = month.plusMonths(1)) {
            months.add(month);
        }
        try (Connection pg = SharedServers.postgres();
                RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.stats.keep-deleted-after", "30d").start()) {
            insertTrips(pg, name, now, new Random(3));
            try (Statement statement = pg.createStatement()) {
                // corrections: trips of the last 10 days removed a few days after they started
                assertThat(statement.executeUpdate("DELETE FROM public." + name
                        + " WHERE started_at > now() - interval '10 days' AND trip_id % 5 = 0")).isGreaterThan(5);
            }
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeHasTable(lake, pg, name);
            List<List<List<Object>>> beforeCleanUp = new ArrayList<>();
            for (YearMonth month : months) {
                beforeCleanUp.add(contractRows(pg, "public." + name, month.toString(), ZONE));
            }

            try (Statement statement = pg.createStatement()) {
                assertThat(statement.executeUpdate("DELETE FROM public." + name + " WHERE started_at < now() - interval '45 days'"))
                        .as("the retention job's delete").isGreaterThan(300);
            }
            awaitLakeHasTable(lake, pg, name);

            for (int i = 0; i < months.size(); i++) {
                String month = months.get(i).toString();
                runStatistics(pipeline, month);
                assertThat(beforeCleanUp.get(i)).as(month).isNotEmpty();
                assertEqualToContract(StatisticsFromLakeTest.readResult(lake, month), beforeCleanUp.get(i));
            }

            // without the setting, the retention job's deletes erase the oldest month
            String oldest = months.get(0).toString();
            runStatistics(pipeline.with("pipeline.stats.keep-deleted-after", ""), oldest);
            assertThat(StatisticsFromLakeTest.readResult(lake, oldest)).isEqualTo(contractRows(pg, "public." + name, oldest, ZONE))
                    .isEmpty();
        }
    }

    private static void runStatistics(RunningPipeline pipeline, String month) throws Exception {
        Process command = pipeline.statsCommand(month);
        String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(command.waitFor()).as(output).isZero();
    }

    /** 1,200 trips starting over the last 100 days, most finished, some updated after they were inserted. */
    private static void insertTrips(Connection pg, String name, Instant now, Random random) throws Exception {
        try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public." + name + " VALUES (?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= 1200; id++) {
                Instant start = now.minusSeconds(3600 + (long) (random.nextDouble() * 100 * 86_400));
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(20));
                insert.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
                insert.setObject(4,
                        random.nextInt(8) == 0 ? null : OffsetDateTime.ofInstant(start.plusSeconds(random.nextInt(5400)), ZoneOffset.UTC));
                insert.setObject(5, random.nextInt(10) == 0 ? null : java.math.BigDecimal.valueOf(random.nextInt(60_000), 3));
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (Statement statement = pg.createStatement()) {
            statement.execute("UPDATE public." + name + " SET distance_km = distance_km + 1 WHERE trip_id % 7 = 0");
        }
    }
}
