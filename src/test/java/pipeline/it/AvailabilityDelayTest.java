package pipeline.it;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;
import static pipeline.it.StatisticsFromLakeTest.awaitLakeHasTable;

/**
 * Contract 6.3: the delay columns equal a query over the raw lake (for each trip, the earliest
 * captured c or u event carrying its final end), on a stream in which vehicles finish trips with
 * known delays, trips finished in the snapshot have none, and later corrections keep the first
 * commit of an end.
 */
class AvailabilityDelayTest {

    private static final String REFERENCE = """
            WITH events AS {events},
            latest AS (
              SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY trip_id ORDER BY __lsn DESC, __kafka_offset DESC) AS version
                             FROM events)
              WHERE version = 1 AND NOT __deleted AND started_at >= TIMESTAMPTZ '%1$s-01 00:00:00+00'
                AND started_at < TIMESTAMPTZ '%2$s-01 00:00:00+00'),
            delays AS (
              SELECT latest.trip_id, (min(events.__source_ts_ms) * 1000 - epoch_us(latest.ended_at)) / 1e6 AS delay
              FROM latest JOIN events ON events.trip_id = latest.trip_id AND events.ended_at = latest.ended_at
                                     AND events.__op IN ('c', 'u')
              GROUP BY latest.trip_id, latest.ended_at)
            SELECT latest.vehicle_id, count(delay), quantile_cont(delay, 0.5), quantile_cont(delay, 0.95), max(delay)
            FROM latest LEFT JOIN delays USING (trip_id) GROUP BY latest.vehicle_id ORDER BY latest.vehicle_id""";

    @Test
    void delaysEqualTheQueryOverTheRawLake() throws Exception {
        String name = "trip_delay";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, "
                + "started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))");
        YearMonth month = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        Instant monthStart = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Random random = new Random(9);
        try (Connection pg = SharedServers.postgres()) {
            // read by the snapshot: finished trips (no delay) and trips still under way
            try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public." + name + " VALUES (?, ?, ?, ?, ?)")) {
                for (int id = 1; id <= 300; id++) {
                    Instant start = monthStart.plusSeconds(random.nextInt(27 * 86_400));
                    boolean finished = id <= 30 || id % 3 != 0;
                    add(insert, id, id <= 30 ? "snapshot-only" : "v" + random.nextInt(8), start,
                            finished ? start.plusSeconds(600 + random.nextInt(3000)) : null);
                }
                insert.executeBatch();
            }
            try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
                try (Statement statement = pg.createStatement()) {
                    // trips under way since the snapshot finish now, an hour after their end
                    statement.execute("UPDATE public." + name + " SET ended_at = now() - interval '1 hour', distance_km = 9.5 "
                            + "WHERE ended_at IS NULL");
                    // new trips: inserted finished, or started then finished a known time after their end
                    try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public." + name + " VALUES (?, ?, ?, ?, ?)")) {
                        for (int id = 301; id <= 500; id++) {
                            Instant start = monthStart.plusSeconds(random.nextInt(27 * 86_400));
                            add(insert, id, id <= 330 ? "known" : "v" + random.nextInt(8), start,
                                    id > 330 && id % 2 == 0 ? start.plusSeconds(900 + random.nextInt(1800)) : null);
                        }
                        insert.executeBatch();
                    }
                    for (int delayMinutes : List.of(2, 4, 6)) {
                        statement.execute("UPDATE public." + name + " SET ended_at = now() - interval '" + delayMinutes + " minutes' "
                                + "WHERE ended_at IS NULL AND vehicle_id = 'known' AND trip_id % 3 = " + (delayMinutes / 2 - 1));
                    }
                    statement.execute("UPDATE public." + name + " SET ended_at = now() - interval '10 minutes' WHERE ended_at IS NULL");
                    // corrections that keep the end: the delay stays that of the change that brought the end
                    statement
                            .execute("UPDATE public." + name + " SET distance_km = distance_km + 1 WHERE trip_id % 7 = 0 AND trip_id > 30");
                }
                Lake lake = new Lake(pipeline.bucket, pipeline.table);
                awaitLakeHasTable(lake, pg, name);

                Process command = pipeline.statsCommand(month.toString());
                String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(command.waitFor()).as(output).isZero();

                assertEqualToContract(StatisticsFromLakeTest.readResult(lake, month.toString()),
                        contractRows(pg, "public." + name, month.toString(), "UTC"));
                List<List<String>> expected = lake.query(String.format(REFERENCE, month, month.plusMonths(1)));
                List<List<String>> published = publishedDelays(lake, month);
                assertThat(published).hasSameSizeAs(expected).hasSizeGreaterThan(5);
                for (int i = 0; i < expected.size(); i++) {
                    List<String> row = published.get(i);
                    List<String> reference = expected.get(i);
                    assertThat(row.subList(0, 2)).as("vehicle and delay_trips").isEqualTo(reference.subList(0, 2));
                    for (int column = 2; column < 5; column++) {
                        if (reference.get(column).equals("null")) {
                            assertThat(row.get(column)).as(reference.get(0) + " column " + column).isEqualTo("null");
                        } else {
                            double value = Double.parseDouble(reference.get(column));
                            assertThat(Double.parseDouble(row.get(column))).as(reference.get(0) + " column " + column)
                                    .isCloseTo(value, within(1e-9 * Math.max(1, Math.abs(value))));
                        }
                    }
                }
                List<String> snapshotOnly = published.stream().filter(row -> row.get(0).equals("snapshot-only")).findFirst().orElseThrow();
                assertThat(snapshotOnly.subList(1, 5)).as("trips finished in the snapshot have no delay")
                        .containsExactly("0", "null", "null", "null");
                List<String> known = published.stream().filter(row -> row.get(0).equals("known")).findFirst().orElseThrow();
                assertThat(Double.parseDouble(known.get(2))).as("median delay of vehicle known: 4 minutes").isCloseTo(240, within(30.0));
            }
        }
    }

    private static void add(PreparedStatement insert, long id, String vehicle, Instant start, Instant end) throws Exception {
        insert.setLong(1, id);
        insert.setString(2, vehicle);
        insert.setObject(3, OffsetDateTime.ofInstant(start, ZoneOffset.UTC));
        insert.setObject(4, end == null ? null : OffsetDateTime.ofInstant(end, ZoneOffset.UTC));
        insert.setObject(5, java.math.BigDecimal.valueOf(1000 + id, 3));
        insert.addBatch();
    }

    /** vehicle_id, delay_trips and the three delays of the published month, read with DuckDB. */
    private static List<List<String>> publishedDelays(Lake lake, YearMonth month) throws Exception {
        Path file = lake.download(String.format("stats/vehicle_monthly/year=%04d/month=%02d/part-00000.parquet",
                month.getYear(), month.getMonthValue()));
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duckdb.createStatement()) {
            return Lake.rows(statement.executeQuery("SELECT vehicle_id, delay_trips, delay_p50_s, delay_p95_s, delay_max_s "
                    + "FROM read_parquet('" + file + "') ORDER BY vehicle_id"));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
