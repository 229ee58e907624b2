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
 * finds only a placeholder. Every version of the row in the lake still holds the text itself; when
 * the row is gone before its update is read back, that version keeps the placeholder and the capture
 * goes on.
 */
class UnchangedToastTest {

    /** 64,000 hex digits that compress too little to stay in the row: Postgres stores them out of line. */
    private static final String LARGE_TEXT = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 2000) i)";

    @Test
    void anUpdateOfOtherColumnsKeepsTheLargeTextInTheLake() throws Exception {
        String name = "trip_toast";
        execute("DROP TABLE IF EXISTS public." + name);
        execute("CREATE TABLE public." + name
                + " (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL, ended_at timestamptz, note text)");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            execute("INSERT INTO public.trip_toast VALUES (1, 'v-1', '2024-11-01 10:00+00', NULL, " + LARGE_TEXT + ")");
            execute("UPDATE public.trip_toast SET ended_at = '2024-11-01 10:30+00' WHERE trip_id = 1");
            execute("UPDATE public.trip_toast SET vehicle_id = 'v-2' WHERE trip_id = 1");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            String largeTextMd5;
            try (var pg = SharedServers.postgres(); var statement = pg.createStatement()) {
                largeTextMd5 = Lake.rows(statement.executeQuery("SELECT md5(" + LARGE_TEXT + ")")).get(0).get(0);
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                    () -> assertThat(lake.query("SELECT __op, vehicle_id, md5(note), length(note) FROM {events} ORDER BY __lsn"))
                            .containsExactly(
                                    List.of("c", "v-1", largeTextMd5, "64000"),
                                    List.of("u", "v-1", largeTextMd5, "64000"),
                                    List.of("u", "v-2", largeTextMd5, "64000")));

            // the row is gone when its update is read back: that version keeps the placeholder, the capture goes on
            execute("INSERT INTO public.trip_toast VALUES (2, 'v-3', '2024-11-02 10:00+00', NULL, " + LARGE_TEXT + ")");
            execute("BEGIN; UPDATE public.trip_toast SET vehicle_id = 'v-4' WHERE trip_id = 2; DELETE FROM public.trip_toast WHERE trip_id = 2; COMMIT");
            execute("INSERT INTO public.trip_toast VALUES (3, 'v-5', '2024-11-03 10:00+00', NULL, 'short')");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                    lake.query(
                            "SELECT trip_id, __op, vehicle_id, note FROM {events} WHERE trip_id > 1 AND __op <> 'c' ORDER BY __lsn, __kafka_offset"))
                    .containsExactly(
                            List.of("2", "u", "v-4", "__debezium_unavailable_value"),
                            // the old row holds only the key; Debezium fills the NOT NULL text column with ""
                            List.of("2", "d", "", "null")));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                    lake.query("SELECT trip_id, vehicle_id, CASE WHEN length(note) > 100 THEN md5(note) ELSE note END FROM "
                            + Lake.LATEST + " ORDER BY trip_id"))
                    .containsExactly(List.of("1", "v-2", largeTextMd5), List.of("3", "v-5", "short")));
        }
    }
}
