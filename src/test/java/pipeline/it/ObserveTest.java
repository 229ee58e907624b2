package pipeline.it;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedS3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** /observe/health follows the servers the pipeline depends on; /observe/metrics has the route and pipeline series. */
class ObserveTest {

    @Test
    void healthTurnsDownWhileS3IsStoppedAndUpWhenItReturns() throws Exception {
        String name = "trip_observe";
        createTable(name);
        Path s3Dir = Files.createTempDirectory("observe-s3");
        int s3Port = DevServers.freePort();
        EmbeddedS3 s3 = EmbeddedS3.start(s3Dir, s3Port, DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY);
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.s3.endpoint", s3.endpoint()).start()) {
            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-05-01 10:00+00')");
            await().alias("health UP").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health").statusCode() == 200);

            s3.close();
            HttpResponse<String> down = await().alias("health DOWN").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503);
            assertThat(down.body()).contains("\"DOWN\"").contains("s3");

            s3 = EmbeddedS3.start(s3Dir, s3Port, DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY);
            await().alias("health UP again").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health").statusCode() == 200);

            HttpResponse<String> metrics = pipeline.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("camel_exchanges_total{", "routeId=\"kafka-to-s3\"", "routeId=\"cdc-to-kafka\"");
        } finally {
            s3.close();
        }
    }
}
