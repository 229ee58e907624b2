package pipeline.it;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedS3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** /observe/health follows the servers the pipeline depends on; /observe/metrics has the route and pipeline series with plausible values. */
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
            // Camel's management server can also serve info, Jolokia, dev consoles, uploads and sends: none of them is on
            for (String path : List.of("/observe/info", "/observe/jolokia", "/observe/jolokia/version", "/q/dev", "/observe/dev",
                    "/observe/upload", "/observe/download", "/observe/send", "/hawtio", "/")) {
                assertThat(pipeline.get(path).statusCode()).as("GET " + path + " on the management port").isEqualTo(404);
            }

            // the start-up statistics run waits for the lake to catch up: the S3 outage below must not cut it half-way
            await().alias("start-up statistics published").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> value(pipeline.get("/observe/metrics").body(), "pipeline_statistics_last_run_success", "") == 1);

            s3.close();
            HttpResponse<String> down = await().alias("health DOWN").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503);
            assertThat(down.body()).contains("\"DOWN\"").contains("s3");

            s3 = EmbeddedS3.start(s3Dir, s3Port, DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY);
            await().alias("health UP again").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health").statusCode() == 200);

            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (2, 'v-2', '2024-05-02 10:00+00')");
            String table = "table=\"public." + name + "\"";
            await().alias("both changes in the lake, the lag measured").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(() -> {
                        String metrics = pipeline.get("/observe/metrics").body();
                        String series = metrics.lines().filter(line -> line.startsWith("pipeline_")).toList().toString();
                        assertThat(value(metrics, "pipeline_change_events_written_total", table)).as(series).isEqualTo(2);
                        assertThat(value(metrics, "pipeline_lake_consumer_lag", "")).as(series).isZero();
                    });
            HttpResponse<String> scrape = pipeline.get("/observe/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            String metrics = scrape.body();
            assertThat(metrics).contains("camel_exchanges_total{", "routeId=\"kafka-to-s3\"", "routeId=\"cdc-to-kafka\"",
                    "routeId=\"monthly-stats\"");
            assertThat(value(metrics, "pipeline_change_events_captured_total", table)).isEqualTo(2);
            assertThat(value(metrics, "pipeline_parquet_files_written_total", table)).isBetween(1.0, 2.0);
            assertThat(value(metrics, "pipeline_parquet_bytes_written_total", table)).isBetween(500.0, 100_000.0);
            assertThat(value(metrics, "pipeline_dlq_records_total", "")).isZero();
            assertThat(value(metrics, "pipeline_lake_oldest_unflushed_event_age_seconds", "")).isZero();
            assertThat(value(metrics, "pipeline_lake_last_upload_timestamp_seconds", ""))
                    .isBetween(Instant.now().minusSeconds(120).getEpochSecond() * 1.0, Instant.now().getEpochSecond() * 1.0);
            assertThat(value(metrics, "pipeline_replication_slot_lag_bytes", "")).isBetween(0.0, 64.0 * 1024 * 1024);
            YearMonth previous = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
            assertThat(value(metrics, "pipeline_statistics_last_run_month", ""))
                    .as("start-up computed the previous month").isEqualTo(previous.getYear() * 100 + previous.getMonthValue());
            assertThat(value(metrics, "pipeline_statistics_last_run_success", "")).isEqualTo(1);
            assertThat(value(metrics, "pipeline_statistics_last_run_duration_seconds", "")).isBetween(0.0, 60.0);
        } finally {
            s3.close();
        }
    }

    /** The value of a series in Prometheus text, the first line of that name whose labels contain {@code label}. */
    static double value(String metrics, String name, String label) {
        return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> line.contains(label)).map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " " + label + " is not in the metrics"));
    }
}
