package pipeline.it;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;

import org.junit.jupiter.api.Test;
import pipeline.lake.LakeFormat;
import pipeline.snapshot.TableSnapshot;
import pipeline.stats.LakeTrips;
import pipeline.stats.StatisticsJob;
import pipeline.stats.TripColumns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;

/**
 * The source table changes shape while changes stream: a column is dropped, the key and vehicle
 * columns widen from integer to bigint (and take values beyond 32 bits), the distance goes from
 * numeric(8,2) to numeric(12,4); old and new files read together, the statistics stay exact; then
 * the table is renamed out of the capture list: health names it, and what was captured stays.
 */
class SchemaEvolutionTest {

    private static final String ZONE = "Europe/Paris";
    private static final String COLUMNS_PG = "trip_id, vehicle_id, (extract(epoch FROM started_at) * 1000000)::bigint, "
            + "(extract(epoch FROM ended_at) * 1000000)::bigint, distance_km::text";
    private static final String COLUMNS_LAKE = "trip_id, vehicle_id, epoch_us(started_at), epoch_us(ended_at), CAST(distance_km AS VARCHAR)";

    @Test
    void droppedWidenedAndRenamedColumnsKeepTheLakeReadableAndTheStatisticsExact() throws Exception {
        String name = "trip_evolve";
        execute("DROP TABLE IF EXISTS public." + name + ", public.trip_evolve_old");
        execute("CREATE TABLE public.trip_evolve (trip_id integer PRIMARY KEY, vehicle_id integer NOT NULL, started_at timestamptz NOT NULL, "
                + "ended_at timestamptz, distance_km numeric(8,2), fare numeric(6,2))");
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.timezone", ZONE).start();
                Connection pg = SharedServers.postgres();
                Statement sql = pg.createStatement()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            sql.execute("INSERT INTO trip_evolve SELECT id, id % 13, timestamptz '2024-03-01 00:00+00' + id * interval '37 minutes', "
                    + "timestamptz '2024-03-01 00:20+00' + id * interval '37 minutes', (id % 500) / 7.0, 12.5 FROM generate_series(1, 300) id");
            awaitLakeEqualsTable(lake, sql);

            sql.execute("ALTER TABLE trip_evolve DROP COLUMN fare");
            sql.execute("INSERT INTO trip_evolve SELECT id, id % 17, timestamptz '2024-03-02 00:00+00' + id * interval '29 minutes', NULL, "
                    + "(id % 300) / 3.0 FROM generate_series(301, 600) id");
            sql.execute("UPDATE trip_evolve SET ended_at = started_at + interval '41 minutes' WHERE trip_id % 5 = 0");
            awaitLakeEqualsTable(lake, sql);

            sql.execute("ALTER TABLE trip_evolve ALTER COLUMN trip_id TYPE bigint, ALTER COLUMN vehicle_id TYPE bigint");
            sql.execute(
                    "INSERT INTO trip_evolve SELECT 5000000000 + id, 3000000000 + id % 7, timestamptz '2024-03-03 00:00+00' + id * interval '31 minutes', "
                            + "timestamptz '2024-03-03 00:45+00' + id * interval '31 minutes', id / 9.0 FROM generate_series(1, 300) id");
            sql.execute("UPDATE trip_evolve SET vehicle_id = 4000000000 WHERE trip_id % 11 = 0");
            awaitLakeEqualsTable(lake, sql);

            sql.execute("ALTER TABLE trip_evolve ALTER COLUMN distance_km TYPE numeric(12,4)");
            sql.execute("UPDATE trip_evolve SET distance_km = distance_km + 0.1234 WHERE trip_id % 3 = 0");
            sql.execute("DELETE FROM trip_evolve WHERE trip_id % 19 = 0");
            awaitLakeEqualsTable(lake, sql);

            StatisticsJob job = new StatisticsJob(SharedServers.s3(), pipeline.bucket, pipeline.table,
                    new LakeTrips(new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km"), ZoneId.of(ZONE),
                            null));
            job.run(YearMonth.of(2024, 3), true, StatisticsJob.Reason.ON_DEMAND);
            List<List<Object>> expected = contractRows(pg, pipeline.table, "2024-03", ZONE);
            assertThat(expected).hasSizeGreaterThan(20);
            assertEqualToContract(StatisticsFromLakeTest.readResult(lake, "2024-03"), expected);

            // the table as it is now, rebuilt from files of three shapes (no fare, keys as bigint, distances at scale 4),
            // with a memory budget a third of what the lake would take: three passes, each a slice of the keys
            long stored = SharedServers.s3().listObjectsV2Paginator(r -> r.bucket(pipeline.bucket).prefix("raw/" + pipeline.table + "/"))
                    .contents().stream().mapToLong(object -> object.size()).sum();
            TableSnapshot.Summary snapshot = new TableSnapshot(SharedServers.s3(), pipeline.bucket,
                    stored * LakeFormat.IN_MEMORY_EXPANSION / 3 + 1)
                    .write(pipeline.table, List.of("trip_id"), java.time.Instant.now());
            assertThat(snapshot.passes()).as(snapshot.toString()).isEqualTo(3);
            String snapshotFiles = TableSnapshot.prefix(pipeline.table, snapshot.asOf());
            assertThat(lake.queryFiles(snapshotFiles, "SELECT " + COLUMNS_LAKE + " FROM {files} ORDER BY trip_id"))
                    .isEqualTo(Lake.rows(sql.executeQuery("SELECT " + COLUMNS_PG + " FROM trip_evolve ORDER BY trip_id")));
            assertThat(lake.queryFiles(snapshotFiles, "SELECT * FROM {files} LIMIT 1").get(0)).as("the table's columns now").hasSize(5);

            sql.execute("ALTER TABLE trip_evolve RENAME TO trip_evolve_old");
            sql.execute("UPDATE trip_evolve_old SET distance_km = 1 WHERE trip_id = 1");
            HttpResponse<String> health = await().alias("health names the renamed table").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503);
            assertThat(health.body()).contains("table public.trip_evolve (pipeline.pg.tables) does not exist");
            assertThat(lake.query("SELECT count(*) FROM " + Lake.LATEST)).as("what was captured stays in the lake")
                    .containsExactly(List.of(String.valueOf(expectedRows(sql, "trip_evolve_old"))));
        }
    }

    private static long expectedRows(Statement sql, String table) throws Exception {
        try (var rows = sql.executeQuery("SELECT count(*) FROM " + table)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void awaitLakeEqualsTable(Lake lake, Statement sql) throws Exception {
        List<List<String>> expected = Lake.rows(sql.executeQuery("SELECT " + COLUMNS_PG + " FROM trip_evolve ORDER BY trip_id"));
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                () -> assertThat(lake.query("SELECT " + COLUMNS_LAKE + " FROM " + Lake.LATEST + " ORDER BY trip_id")).isEqualTo(expected));
    }
}
