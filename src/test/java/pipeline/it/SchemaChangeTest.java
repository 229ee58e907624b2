package pipeline.it;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** A column added to the source table appears in the files written after the change, without a restart. */
class SchemaChangeTest {

    @Test
    void anAddedColumnAppearsInLaterFilesAndOldFilesStayReadable() throws Exception {
        String name = "trip_schema";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            execute("INSERT INTO public.trip_schema (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-07-01 10:00+00')");
            await().atMost(Duration.ofSeconds(60)).until(() -> lake.keys().size() == 1);

            execute("ALTER TABLE public.trip_schema ADD COLUMN fare numeric(8,2)");
            execute("INSERT INTO public.trip_schema (trip_id, vehicle_id, started_at, fare) VALUES (2, 'v-2', '2024-07-02 10:00+00', 12.50)");

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(lake.query("SELECT trip_id, CAST(fare AS VARCHAR) FROM {events} ORDER BY trip_id"))
                            .containsExactly(List.of("1", "null"), List.of("2", "12.50")));
            assertThat(lake.keys()).hasSize(2);
        }
    }
}
