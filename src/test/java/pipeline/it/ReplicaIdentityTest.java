package pipeline.it;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * Postgres refuses every UPDATE and DELETE on a published table that has neither a primary key nor
 * a replica identity. The source is not ours: the pipeline publishes no such table, says why in its
 * health, and captures it by itself once the table has an identity.
 */
class ReplicaIdentityTest {

    @Test
    void aTableWithoutIdentityIsNotPublishedUntilItHasOne() throws Exception {
        String name = "trip_no_identity";
        createTable(name);
        execute("ALTER TABLE public." + name + " DROP CONSTRAINT " + name + "_pkey");
        execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-02-01 08:00+00')");
        try (RunningPipeline pipeline = new RunningPipeline(name).startRoutes()) {
            HttpResponse<String> health = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health"), response -> response.body().contains("replica identity"));
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("public." + name + " has no primary key and no replica identity");

            // the application that owns the table goes on updating and deleting
            execute("UPDATE public." + name + " SET ended_at = '2024-02-01 09:00+00' WHERE trip_id = 1");
            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (2, 'v-2', '2024-02-01 10:00+00')");
            execute("DELETE FROM public." + name + " WHERE trip_id = 2");

            execute("ALTER TABLE public." + name + " REPLICA IDENTITY FULL");
            pipeline.awaitStreaming();
            execute("UPDATE public." + name + " SET distance_km = 12.5 WHERE trip_id = 1");
            awaitLakeEqualsTable(new Lake(pipeline.bucket, pipeline.table), name);
        }
    }
}
