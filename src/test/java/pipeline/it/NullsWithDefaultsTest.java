package pipeline.it;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A NULL in a column that has a DEFAULT reaches the lake as NULL, not as the default. */
class NullsWithDefaultsTest {

    @Test
    void nullsInColumnsWithDefaultsStayNull() throws Exception {
        String name = "trip_defaults";
        CdcToLakeTest.execute("DROP TABLE IF EXISTS public." + name);
        CdcToLakeTest.execute("CREATE TABLE public." + name + """
                (
                 trip_id     bigint PRIMARY KEY,
                 vehicle_id  text NOT NULL DEFAULT 'unassigned',
                 started_at  timestamptz NOT NULL,
                 passengers  integer DEFAULT 1,
                 rating      double precision DEFAULT 5.0,
                 note        text DEFAULT 'none')""");
        CdcToLakeTest.execute("INSERT INTO public." + name + " VALUES (1, 'v-1', '2024-02-01 08:00:00+00', NULL, NULL, NULL)");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            pipeline.awaitStreaming();
            CdcToLakeTest.execute("INSERT INTO public." + name + " VALUES (2, 'v-2', '2024-02-01 09:00:00+00', NULL, NULL, NULL)");
            CdcToLakeTest.execute("INSERT INTO public." + name + " (trip_id, started_at) VALUES (3, '2024-02-01 10:00:00+00')");
            CdcToLakeTest.execute("UPDATE public." + name + " SET passengers = NULL, rating = NULL, note = NULL WHERE trip_id = 3");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(lake.query(
                    "SELECT trip_id, vehicle_id, passengers, rating, note FROM " + Lake.LATEST + " ORDER BY trip_id"))
                    .containsExactly(
                            List.of("1", "v-1", "null", "null", "null"),
                            List.of("2", "v-2", "null", "null", "null"),
                            List.of("3", "unassigned", "null", "null", "null")));
        }
    }
}
