package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;

/**
 * The statistics on a trip table with other column names and types (text key, bigint vehicle,
 * {@code timestamp} without time zone, double distance), mapped through pipeline.stats.*-column,
 * run with the command line: equal to the contract's query with its AT TIME ZONE conversions dropped.
 */
class StatisticsColumnMappingTest {

    private static final String WALL_TIME_QUERY = """
            WITH t AS (
              SELECT cab::text AS vehicle_id, pickup AS started_at, dropoff AS ended_at,
                     km::float8 AS d,
                     CASE WHEN dropoff >= pickup THEN extract(epoch FROM dropoff - pickup)::float8 END AS dur
              FROM public.ride
              WHERE pickup >= timestamp '2013-01-01' AND pickup < timestamp '2013-01-01' + interval '1 month')
            SELECT vehicle_id, '2013-01', count(*), coalesce(sum(d), 0), avg(d), max(d),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY d), coalesce(sum(dur), 0), avg(dur),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY dur),
                   3600 * sum(d) FILTER (WHERE dur > 0 AND d IS NOT NULL) / nullif(sum(dur) FILTER (WHERE dur > 0 AND d IS NOT NULL), 0),
                   (extract(epoch FROM min(started_at)) * 1000000)::bigint, (extract(epoch FROM max(ended_at)) * 1000000)::bigint,
                   count(DISTINCT started_at::date)
            FROM t GROUP BY vehicle_id ORDER BY vehicle_id""";

    @Test
    void otherColumnNamesAndTypesGiveTheSameStatisticsAsTheSql() throws Exception {
        execute("DROP TABLE IF EXISTS public.ride");
        execute("CREATE TABLE public.ride (ride_key text PRIMARY KEY, cab bigint NOT NULL, pickup timestamp NOT NULL, "
                + "dropoff timestamp, km double precision)");
        try (Connection pg = SharedServers.postgres();
             RunningPipeline pipeline = new RunningPipeline("ride")
                     .with("pipeline.timezone", "America/New_York")
                     .with("pipeline.stats.key-column", "ride_key")
                     .with("pipeline.stats.vehicle-column", "cab")
                     .with("pipeline.stats.start-column", "pickup")
                     .with("pipeline.stats.end-column", "dropoff")
                     .with("pipeline.stats.distance-column", "km")
                     .start()) {
            Random random = new Random(11);
            try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public.ride VALUES (?, ?, ?, ?, ?)")) {
                for (int i = 0; i < 600; i++) {
                    // wall times from Dec 30 to Feb 2: both month edges
                    LocalDateTime pickup = LocalDateTime.of(2012, 12, 30, 0, 0).plusSeconds(random.nextInt(34 * 86_400));
                    insert.setString(1, "ride-" + i);
                    insert.setLong(2, 100 + random.nextInt(15));
                    insert.setObject(3, pickup);
                    insert.setObject(4, random.nextInt(7) == 0 ? null : pickup.plusSeconds(random.nextInt(4000) - 200));
                    insert.setObject(5, random.nextInt(9) == 0 ? null : random.nextDouble() * 20);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            execute("DELETE FROM public.ride WHERE ride_key IN ('ride-1', 'ride-2', 'ride-3')");
            execute("UPDATE public.ride SET pickup = pickup + interval '40 days' WHERE ride_key IN ('ride-4', 'ride-5')");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            long expectedRides;
            try (Statement statement = pg.createStatement(); ResultSet count = statement.executeQuery("SELECT count(*) FROM public.ride")) {
                count.next();
                expectedRides = count.getLong(1);
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() ->
                    assertThat(lake.query("SELECT count(*) FROM (SELECT * EXCLUDE (version) FROM (SELECT *, row_number() OVER "
                            + "(PARTITION BY ride_key ORDER BY __lsn DESC, __kafka_offset DESC) AS version FROM {events}) "
                            + "WHERE version = 1 AND NOT __deleted)")).containsExactly(List.of(String.valueOf(expectedRides))));

            Process command = pipeline.statsCommand("2013-01");
            String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(command.waitFor()).as(output).isZero();

            List<List<Object>> expected;
            try (Statement statement = pg.createStatement(); ResultSet rows = statement.executeQuery(WALL_TIME_QUERY)) {
                expected = StatisticsDefinitionTest.statisticsRows(rows);
            }
            assertThat(expected).hasSize(15);
            assertEqualToContract(StatisticsFromLakeTest.readResult(new Lake(pipeline.bucket, pipeline.table), "2013-01"), expected);
        }
    }
}
