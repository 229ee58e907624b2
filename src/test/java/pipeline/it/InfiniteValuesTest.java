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
 * PostgreSQL's 'infinity' and '-infinity' (an open end is often written so) reach the lake as the
 * infinities DuckDB reads back, in every time type; they went to the dead-letter topic before.
 */
class InfiniteValuesTest {

    private static final String COLUMNS_PG = """
            trip_id, %s, %s, %s, CASE WHEN isfinite(trip_date) THEN (trip_date - date '1970-01-01')::text ELSE trip_date::text END, %s"""
            .formatted(instant("started_at"), instant("ended_at"), instant("local_start"), instant("at_millis"));
    private static final String COLUMNS_LAKE = """
            trip_id, %s, %s, %s, CASE WHEN isfinite(trip_date) THEN CAST(trip_date - DATE '1970-01-01' AS VARCHAR) ELSE CAST(trip_date AS VARCHAR) END, %s"""
            .formatted(lakeInstant("started_at"), lakeInstant("ended_at"), lakeInstant("local_start"), lakeInstant("at_millis"));

    @Test
    void infiniteTimesAndDatesArriveAsInfinities() throws Exception {
        String name = "trip_infinite";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name + " (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL, "
                + "ended_at timestamptz, local_start timestamp, trip_date date, at_millis timestamp(3))");
        execute("INSERT INTO public.trip_infinite VALUES (1, 'v-snapshot', '2024-01-15 10:00+00', 'infinity', 'infinity', 'infinity', 'infinity')");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            execute("INSERT INTO public.trip_infinite VALUES "
                    + "(2, 'v-open', '2024-01-15 10:00+00', 'infinity', 'infinity', 'infinity', 'infinity'), "
                    + "(3, 'v-before', '2024-01-15 10:00+00', '-infinity', '-infinity', '-infinity', '-infinity'), "
                    + "(4, 'v-never', 'infinity', NULL, NULL, NULL, NULL), "
                    + "(5, 'v-finite', '2024-01-15 10:00:00.123456+00', '2024-01-15 11:00+00', '2024-01-15 11:00', '2024-01-15', "
                    + "  '2024-01-15 11:00:00.123')");
            execute("UPDATE public.trip_infinite SET ended_at = '2024-01-15 12:00+00' WHERE trip_id = 1");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            List<List<String>> expected;
            try (Connection pg = SharedServers.postgres(); Statement statement = pg.createStatement()) {
                expected = Lake.rows(statement.executeQuery("SELECT " + COLUMNS_PG + " FROM public." + name + " ORDER BY trip_id"));
            }
            assertThat(expected.get(1)).contains("infinity").doesNotContain("-infinity");
            assertThat(expected.get(2)).contains("-infinity");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(lake.query("SELECT " + COLUMNS_LAKE + " FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .isEqualTo(expected));

            assertThat(Topics.endOffset(pipeline.topicPrefix + ".dlq")).as("dead letters").isZero();
            assertThat(lake.keys()).as("a trip starting at infinity is kept in its commit day, not in year 294247")
                    .allMatch(key -> key.matches("raw/public\\.trip_infinite/year=20\\d\\d/month=\\d\\d/day=\\d\\d/.*\\.parquet"));
        }
    }

    private static String instant(String column) {
        return "CASE WHEN isfinite(%1$s) THEN (extract(epoch FROM %1$s) * 1000000)::bigint::text ELSE %1$s::text END".formatted(column);
    }

    private static String lakeInstant(String column) {
        return "CASE WHEN isfinite(%1$s) THEN CAST(epoch_us(%1$s) AS VARCHAR) ELSE CAST(%1$s AS VARCHAR) END".formatted(column);
    }
}
