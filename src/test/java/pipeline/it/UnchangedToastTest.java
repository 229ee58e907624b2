package pipeline.it;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * An update that leaves a large text value alone: Postgres keeps such a value out of line (TOAST)
 * and, under the default replica identity, leaves it out of the write-ahead log, where Debezium
 * finds only a placeholder. Every version of the row in the lake still holds the text itself.
 */
class UnchangedToastTest {

    @Test
    void anUpdateOfOtherColumnsKeepsTheLargeTextInTheLake() throws Exception {
        String name = "trip_toast";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name
                + " (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz, note text)");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            // 64,000 hex digits that compress too little to stay in the row: stored out of line
            execute("INSERT INTO public.trip_toast VALUES (1, 'v-1', '2024-11-01 10:00+00', NULL, "
                    + "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 2000) i))");
            execute("UPDATE public.trip_toast SET ended_at = '2024-11-01 10:30+00' WHERE trip_id = 1");
            execute("UPDATE public.trip_toast SET vehicle_id = 'v-2' WHERE trip_id = 1");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            String expected = "(SELECT md5(string_agg(md5(i::text), '')) FROM generate_series(1, 2000) i)";
            List<List<String>> md5;
            try (var pg = SharedServers.postgres(); var statement = pg.createStatement()) {
                md5 = Lake.rows(statement.executeQuery("SELECT " + expected));
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                    () -> assertThat(lake.query("SELECT __op, vehicle_id, md5(note), length(note) FROM {events} ORDER BY __lsn"))
                            .containsExactly(
                                    List.of("c", "v-1", md5.get(0).get(0), "64000"),
                                    List.of("u", "v-1", md5.get(0).get(0), "64000"),
                                    List.of("u", "v-2", md5.get(0).get(0), "64000")));
        }
    }
}
