package pipeline.it;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pipeline started before its source database is reachable keeps retrying and catches up by itself. */
class SourceUnavailableTest {

    @Test
    void aPipelineStartedBeforeItsDatabaseCapturesTheTableOnceTheDatabaseIsUp() throws Exception {
        int port = DevServers.freePort();
        RunningPipeline pipeline = new RunningPipeline("trip_late").with("pipeline.pg.port", String.valueOf(port));
        try (pipeline; EmbeddedPostgres late = startLater(pipeline, port)) {
            String url = late.jdbcUrl("postgres");
            execute(url, "CREATE TABLE public.trip_late (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL)");
            execute(url, "INSERT INTO public.trip_late VALUES (1, 'v-1', '2024-09-01 10:00+00'), (2, 'v-2', '2024-09-02 10:00+00')");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(lake.query("SELECT trip_id, vehicle_id FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .containsExactly(List.of("1", "v-1"), List.of("2", "v-2")));

            execute(url, "UPDATE public.trip_late SET vehicle_id = 'v-9' WHERE trip_id = 2");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(lake.query("SELECT trip_id, vehicle_id FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .containsExactly(List.of("1", "v-1"), List.of("2", "v-9")));
        }
    }

    /** Starts the routes first, then the database they point at. */
    private static EmbeddedPostgres startLater(RunningPipeline pipeline, int port) throws Exception {
        pipeline.startRoutes();
        return EmbeddedPostgres.start(Files.createTempDirectory("late-postgres"), port);
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
