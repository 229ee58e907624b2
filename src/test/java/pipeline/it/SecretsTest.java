package pipeline.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * The Postgres password, the S3 secret key and the console password never show in anything the
 * pipeline prints or serves: its whole output from start to stop, health, metrics and the console's
 * answers to a right and a wrong login. The app runs as its own process, as users run it.
 */
class SecretsTest {

    private static final String PG_PASSWORD = "pg-Secret-7f3a91";
    private static final String CONSOLE_PASSWORD = "console-Secret-19c2e4";

    @Test
    void noSecretIsPrintedOrServed() throws Exception {
        String name = "trip_secrets";
        createTable(name);
        execute("DROP ROLE IF EXISTS secret_owner");
        execute("CREATE ROLE secret_owner LOGIN REPLICATION SUPERUSER PASSWORD '" + PG_PASSWORD + "'");
        int consolePort = DevServers.freePort();
        RunningPipeline pipeline = new RunningPipeline(name)
                .with("pipeline.pg.user", "secret_owner").with("pipeline.pg.password", PG_PASSWORD)
                .with("pipeline.hawtio.port", String.valueOf(consolePort))
                .with("pipeline.hawtio.user", "operator").with("pipeline.hawtio.password", CONSOLE_PASSWORD);
        AppProcess app = AppProcess.start(pipeline);
        StringBuilder served = new StringBuilder();
        try {
            await().alias("streaming").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(pipeline::slotActive);
            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', now())");
            HttpClient http = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
            await().alias("health UP").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health").statusCode() == 200);
            await().alias("the change in the lake").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/metrics").body()
                            .contains("pipeline_change_events_written_total{table=\"public." + name + "\"} 1.0"));
            served.append(pipeline.get("/observe/health").body()).append(pipeline.get("/observe/metrics").body());
            for (String password : List.of("wrong-guess", CONSOLE_PASSWORD)) {
                HttpResponse<String> login = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + consolePort + "/hawtio/auth/login"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"operator\",\"password\":\"" + password + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                served.append(login.headers().map()).append(login.body());
            }
        } finally {
            app.stop(Duration.ofSeconds(60));
        }
        String everything = app.output();
        assertThat(everything).as("the app ran and logged").contains("Wrote s3://", "Hawtio console at");
        for (String secret : List.of(PG_PASSWORD, DevServers.S3_SECRET_KEY, CONSOLE_PASSWORD)) {
            assertThat(everything).as("the output").doesNotContain(secret);
            assertThat(served.toString()).as("health, metrics and console answers").doesNotContain(secret);
        }
    }
}
