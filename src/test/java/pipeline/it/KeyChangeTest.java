package pipeline.it;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** An update of the primary key: Debezium sends a delete of the old key and an insert of the new one, and the lake follows. */
class KeyChangeTest {

    @Test
    void anUpdatedKeyLeavesTheOldKeyDeletedAndTheNewOneCurrent() throws Exception {
        String name = "trip_key_change";
        createTable(name);
        execute("INSERT INTO public.trip_key_change (trip_id, vehicle_id, started_at) VALUES "
                + "(1, 'v-1', '2024-02-01 08:00+00'), (2, 'v-2', '2024-02-01 09:00+00'), (3, 'v-3', '2024-02-01 10:00+00')");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            execute("UPDATE public.trip_key_change SET trip_id = 10, note = 'renumbered' WHERE trip_id = 1");
            execute("UPDATE public.trip_key_change SET trip_id = 1 WHERE trip_id = 10");
            // in one transaction: a key moves away and a new row takes it at once
            execute("""
                    BEGIN;
                    UPDATE public.trip_key_change SET trip_id = 20 WHERE trip_id = 2;
                    INSERT INTO public.trip_key_change (trip_id, vehicle_id, started_at) VALUES (2, 'v-new', '2024-02-02 09:00+00');
                    COMMIT""");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeEqualsTable(lake, name);

            assertThat(lake.query("""
                    SELECT d.trip_id, c.trip_id FROM {events} d JOIN {events} c ON d.__lsn = c.__lsn AND c.__op = 'c'
                    WHERE d.__op = 'd' ORDER BY d.__lsn"""))
                    .as("each key update is a delete of the old key and an insert of the new one at one LSN")
                    .containsExactly(List.of("1", "10"), List.of("10", "1"), List.of("2", "20"));
            assertThat(lake.query("SELECT trip_id, vehicle_id, note FROM " + Lake.LATEST + " WHERE trip_id IN (1, 2, 20) ORDER BY trip_id"))
                    .containsExactly(List.of("1", "v-1", "renumbered"), List.of("2", "v-new", "null"), List.of("20", "v-2", "null"));
        }
    }
}
