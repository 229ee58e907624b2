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
 * run with the command line: equal to the contract's query with its AT TIME ZONE conversions dropped,
 * and the first start and last end published as the real instants of those wall times, in a zone far
 * from UTC, in the months of both its DST changes (a skipped and a repeated hour).
 */
class StatisticsColumnMappingTest {

    private static final String ZONE = "Pacific/Auckland";
    private static final String WALL_TIME_QUERY = """
            WITH t AS (
              SELECT cab::text AS vehicle_id, pickup AS started_at, dropoff AS ended_at,
                     km::float8 AS d,
                     CASE WHEN dropoff >= pickup THEN extract(epoch FROM dropoff - pickup)::float8 END AS dur
              FROM public.ride
              WHERE pickup >= timestamp '%1$s-01' AND pickup < timestamp '%1$s-01' + interval '1 month')
            SELECT vehicle_id, '%1$s', count(*), coalesce(sum(d), 0), avg(d), max(d),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY d), coalesce(sum(dur), 0), avg(dur),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY dur),
                   3600 * sum(d) FILTER (WHERE dur > 0 AND d IS NOT NULL) / nullif(sum(dur) FILTER (WHERE dur > 0 AND d IS NOT NULL), 0),
                   (extract(epoch FROM min(started_at) AT TIME ZONE '%2$s') * 1000000)::bigint,
                   (extract(epoch FROM max(ended_at) AT TIME ZONE '%2$s') * 1000000)::bigint,
                   count(DISTINCT started_at::date)
            FROM t GROUP BY vehicle_id ORDER BY vehicle_id""";

    @Test
    void otherColumnNamesAndTypesGiveTheSameStatisticsAsTheSql() throws Exception {
        execute("DROP TABLE IF EXISTS public.ride");
        execute("CREATE TABLE public.ride (ride_key text PRIMARY KEY, cab bigint NOT NULL, pickup timestamp NOT NULL, "
                + "dropoff timestamp, km double precision)");
        try (Connection pg = SharedServers.postgres();
                RunningPipeline pipeline = new RunningPipeline("ride")
                        .with("pipeline.timezone", ZONE)
                        .with("pipeline.stats.key-column", "ride_key")
                        .with("pipeline.stats.vehicle-column", "cab")
                        .with("pipeline.stats.start-column", "pickup")
                        .with("pipeline.stats.end-column", "dropoff")
                        .with("pipeline.stats.distance-column", "km")
                        .start()) {
            Random random = new Random(11);
            try (PreparedStatement insert = pg.prepareStatement("INSERT INTO public.ride VALUES (?, ?, ?, ?, ?)")) {
                int ride = 0;
                // Auckland's clocks went back from 03:00 to 02:00 on 2013-04-07 and forward from 02:00 to 03:00 on
                // 2013-09-29: wall times over both month edges, and vehicles whose only trips lie in those hours
                for (LocalDateTime from : List.of(LocalDateTime.of(2013, 3, 29, 0, 0), LocalDateTime.of(2013, 9, 26, 0, 0))) {
                    for (int i = 0; i < 300; i++) {
                        addRide(insert, ride++, 100 + random.nextInt(15), from.plusSeconds(random.nextInt(35 * 86_400)), random);
                    }
                }
                for (LocalDateTime changeHour : List.of(LocalDateTime.of(2013, 4, 7, 2, 0), LocalDateTime.of(2013, 9, 29, 2, 0))) {
                    for (int i = 0; i < 10; i++) {
                        addRide(insert, ride++, 900 + changeHour.getMonthValue() * 10 + i, changeHour.plusSeconds(random.nextInt(3600)),
                                random);
                    }
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
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(
                    () -> assertThat(lake.query("SELECT count(*) FROM (SELECT * EXCLUDE (version) FROM (SELECT *, row_number() OVER "
                            + "(PARTITION BY ride_key ORDER BY __lsn DESC, __kafka_offset DESC) AS version FROM {events}) "
                            + "WHERE version = 1 AND NOT __deleted)")).containsExactly(List.of(String.valueOf(expectedRides))));

            for (String month : List.of("2013-04", "2013-09")) {
                Process command = pipeline.statsCommand(month);
                String output = new String(command.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(command.waitFor()).as(output).isZero();

                List<List<Object>> expected;
                try (Statement statement = pg.createStatement();
                        ResultSet rows = statement.executeQuery(String.format(WALL_TIME_QUERY, month, ZONE))) {
                    expected = StatisticsDefinitionTest.statisticsRows(rows);
                }
                assertThat(expected).as(month).hasSizeGreaterThan(10);
                assertEqualToContract(StatisticsFromLakeTest.readResult(new Lake(pipeline.bucket, pipeline.table), month), expected);
            }
        }
    }

    private static void addRide(PreparedStatement insert, int ride, long cab, LocalDateTime pickup, Random random) throws Exception {
        insert.setString(1, "ride-" + ride);
        insert.setLong(2, cab);
        insert.setObject(3, pickup);
        insert.setObject(4, random.nextInt(7) == 0 ? null : pickup.plusSeconds(random.nextInt(4000) - 200));
        insert.setObject(5, random.nextInt(9) == 0 ? null : random.nextDouble() * 20);
        insert.addBatch();
    }
}
