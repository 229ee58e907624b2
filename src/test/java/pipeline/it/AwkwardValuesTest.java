package pipeline.it;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * Values at the edges of their types go through Debezium, Kafka and Parquet unchanged: NULL in every
 * nullable column, numeric(38,10) at its extremes, NaN and infinities in a double, instants before
 * 1970 and after 2100, days around the DST changes of the configured zone, unicode, a 1 MB text, and
 * a single 10,000-row transaction.
 */
class AwkwardValuesTest {

    private static final String COLUMNS_PG = """
            trip_id, vehicle_id, (extract(epoch FROM started_at) * 1000000)::bigint, (extract(epoch FROM ended_at) * 1000000)::bigint,
            (extract(epoch FROM local_start) * 1000000)::bigint, distance_km::text, rating, md5(note), length(note)""";
    private static final String COLUMNS_LAKE = """
            trip_id, vehicle_id, epoch_us(started_at), epoch_us(ended_at), epoch_us(local_start), CAST(distance_km AS VARCHAR),
            rating, md5(note), length(note)""";

    @Test
    void edgeValuesArriveUnchanged() throws Exception {
        String name = "trip_awkward";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL, "
                + "ended_at timestamptz, local_start timestamp, distance_km numeric(38,10), rating double precision, note text)");
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.timezone", "Europe/Paris").start()) {
            execute("INSERT INTO public.trip_awkward VALUES "
                    + "(1, 'v-null', '2024-01-15 10:00+00', NULL, NULL, NULL, NULL, NULL), "
                    + "(2, 'v-max', '2024-01-15 10:00+00', '2024-01-15 11:00+00', '2024-01-15 11:00', "
                    + "  9999999999999999999999999999.9999999999, 'NaN', '🚕 出租车 é Ω ‮RTL‬ \t\n'), "
                    + "(3, 'v-min', '1901-12-13 20:45:52.000001+00', '1969-12-31 23:59:59.999999+00', '1900-01-01 00:00:00', "
                    + "  -9999999999999999999999999999.9999999999, 'Infinity', ''), "
                    + "(4, 'v-tiny', '2150-06-01 12:00+00', '2199-12-31 23:59:59.999999+00', '2199-12-31 23:59:59.999999', "
                    + "  0.0000000001, '-Infinity', 'ß'), "
                    + "(5, 'v-spring', '2024-03-31 00:59:59.999999+00', NULL, '2024-03-31 02:30:00', 0, -0.0, NULL), "
                    + "(6, 'v-autumn', '2024-10-27 00:30+00', '2024-10-27 01:30+00', '2024-10-27 02:30:00', -0.0000000001, 4.9e-324, NULL), "
                    + "(7, 'v-big-note', '2024-02-01 00:00+00', NULL, NULL, 1.5, 1.7976931348623157e308, repeat('x', 1048576))");
            execute("INSERT INTO public.trip_awkward (trip_id, vehicle_id, started_at, distance_km, note) "
                    + "SELECT id, 'v-bulk-' || id % 50, timestamptz '2024-05-01 00:00+00' + id * interval '1 second', id / 7.0, 'bulk ' || id "
                    + "FROM generate_series(1000, 10999) id");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            List<List<String>> expected;
            try (Connection pg = SharedServers.postgres(); Statement statement = pg.createStatement()) {
                expected = Lake.rows(statement.executeQuery("SELECT " + COLUMNS_PG + " FROM public." + name + " ORDER BY trip_id"));
            }
            assertThat(expected).hasSize(10_007);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> assertThat(lake.query("SELECT " + COLUMNS_LAKE + " FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .isEqualTo(expected));

            assertThat(lake.keys()).as(
                    "a start just before the spring change in Paris is still March 31 there; one just after midnight UTC in October is Oct 27")
                    .anyMatch(key -> key.contains("/year=2024/month=03/day=31/"))
                    .anyMatch(key -> key.contains("/year=2024/month=10/day=27/"))
                    .anyMatch(key -> key.contains("/year=1901/month=12/day=13/"))
                    .anyMatch(key -> key.contains("/year=2150/month=06/day=01/"));
            assertThat(lake.query("SELECT count(DISTINCT __txid), count(*) FROM {events} WHERE trip_id >= 1000"))
                    .as("the 10,000-row transaction: one transaction id, every row").containsExactly(List.of("1", "10000"));
        }
    }
}
