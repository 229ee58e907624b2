package pipeline.it;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;

/** The cron route computes the previous month when fired; start-up catches up the months missed since pipeline.stats.since. */
class MonthlyStatsRouteTest {

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
            String previousPrefix = String.format("stats/vehicle_monthly/year=%04d/month=%02d/", previous.getYear(), previous.getMonthValue());
            await().atMost(Duration.ofSeconds(30)).until(() -> pipeline.exchangesCompleted("monthly-stats") >= 2);
            assertThat(lake.objects(previousPrefix)).as("re-runs replace the month's result")
                    .containsExactlyInAnyOrder(previousPrefix + "_SUCCESS", previousPrefix + "part-00000.parquet");
        }
    }
}
