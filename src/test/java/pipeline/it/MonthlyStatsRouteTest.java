package pipeline.it;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;

/**
 * The cron route computes the previous month when fired, at the cron's time in the pipeline's zone,
 * and retries a run that fails until it succeeds; start-up catches up the months missed since
 * pipeline.stats.since.
 */
class MonthlyStatsRouteTest {

    @Test
    void theCronFiresInThePipelinesZoneAndARunThatMeetsS3AwayIsRetriedUntilItSucceeds() throws Exception {
        String name = "trip_cron_retry";
        createTable(name);
        // UTC+14: read in the JVM's zone, this cron would fire hours away instead of within the test
        ZoneId zone = ZoneId.of("Pacific/Kiritimati");
        ZonedDateTime firing = ZonedDateTime.now(zone).plusSeconds(30);
        String cron = String.format("%d %d %d %d %d ? %d", firing.getSecond(), firing.getMinute(), firing.getHour(),
                firing.getDayOfMonth(), firing.getMonthValue(), firing.getYear());
        YearMonth previous = YearMonth.from(firing).minusMonths(1);
        String prefix = String.format("stats/vehicle_monthly/year=%04d/month=%02d/", previous.getYear(), previous.getMonthValue());
        RunningPipeline pipeline = new RunningPipeline(name);
        try (S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket); pipeline) {
            s3.cut();
            pipeline.with("pipeline.s3.endpoint", s3.endpoint())
                    .with("pipeline.timezone", zone.getId())
                    .with("pipeline.stats.cron", cron)
                    .with("pipeline.stats.retry-delay", "1s")
                    .start();
            await().alias("the firing at " + firing + " failed and is being retried").atMost(Duration.ofSeconds(90))
                    .until(() -> pipeline.redeliveries("monthly-stats") > 0);
            assertThat(pipeline.exchangesCompleted("monthly-stats")).isZero();

            s3.restore();
            await().atMost(Duration.ofSeconds(60)).until(() -> pipeline.exchangesCompleted("monthly-stats") == 1);
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            assertThat(lake.objects(prefix)).containsExactlyInAnyOrder(prefix + "_SUCCESS", prefix + "part-00000.parquet");
        }
    }

    @Test
    void firingsComputeThePreviousMonthAndStartUpCatchesUpMissingMonths() throws Exception {
        String name = "trip_cron";
        createTable(name);
        YearMonth previous = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        YearMonth since = previous.minusMonths(2);
        try (RunningPipeline pipeline = new RunningPipeline(name)
                .with("pipeline.stats.cron", "0/2 * * * * ?")
                .with("pipeline.stats.since", since.toString())
                .start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            for (YearMonth month = since; !month.isAfter(previous); month = month.plusMonths(1)) {
                String prefix = String.format("stats/vehicle_monthly/year=%04d/month=%02d/", month.getYear(), month.getMonthValue());
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> lake.objects(prefix).containsAll(List.of(prefix + "_SUCCESS", prefix + "part-00000.parquet")));
            }
            String previousPrefix = String.format("stats/vehicle_monthly/year=%04d/month=%02d/", previous.getYear(),
                    previous.getMonthValue());
            assertThat(manifest(lake, since).path("reason").asText()).isEqualTo("catch-up");
            JsonNode first = manifest(lake, previous);
            int firings = pipeline.exchangesCompleted("monthly-stats");
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.exchangesCompleted("monthly-stats") >= firings + 3);
            JsonNode rerun = manifest(lake, previous);
            assertThat(rerun.path("reason").asText()).isEqualTo("schedule");
            assertThat(rerun.path("revision").asLong()).as("each firing computes and publishes the month again")
                    .isGreaterThanOrEqualTo(first.path("revision").asLong() + 2);
            assertThat(java.time.Instant.parse(rerun.path("computed_at").asText()))
                    .isAfter(java.time.Instant.parse(first.path("computed_at").asText()));
            assertThat(lake.objects(previousPrefix)).as("re-runs replace the month's result")
                    .containsExactlyInAnyOrder(previousPrefix + "_SUCCESS", previousPrefix + "part-00000.parquet");
        }
    }

    static JsonNode manifest(Lake lake, YearMonth month) throws Exception {
        java.nio.file.Path file = lake.download(String.format("stats/vehicle_monthly/year=%04d/month=%02d/_SUCCESS",
                month.getYear(), month.getMonthValue()));
        try {
            return new ObjectMapper().readTree(file.toFile());
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
