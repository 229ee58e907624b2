package pipeline.stats;

import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;

import pipeline.config.ConfigurationException;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.config.S3Clients;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code stats --month YYYY-MM}: computes one month once, prints a one-line summary and exits. */
public final class StatsCommand {

    private StatsCommand() {
    }

    /** Returns the process exit code: 0 done, 2 bad arguments or configuration, 1 any other failure. */
    public static int run(List<String> args) {
        YearMonth month;
        try {
            month = month(args);
        } catch (IllegalArgumentException e) {
            System.err.println("trip-pipeline stats: " + e.getMessage());
            return 2;
        }
        PipelineSettings settings;
        try {
            settings = PipelineSettings.load();
        } catch (ConfigurationException e) {
            System.err.println("trip-pipeline stats: " + e.getMessage());
            return 2;
        }
        try (S3Client s3 = S3Clients.create(settings)) {
            LakeCatchUp.Outcome lake = LakeCatchUp.awaitOutcome(settings, settings.stats.table);
            StatisticsJob job = StatisticsJob.of(s3, settings);
            System.out.println(job.run(month, lake.caughtUp(), StatisticsJob.Reason.ON_DEMAND) + lake.remark()
                    + StatisticsJob.notBegunRemark(month, settings.timezone, Clock.systemUTC()));
            return 0;
        } catch (Exception e) {
            System.err.println("trip-pipeline stats: " + month + " failed: " + RootCause.describe(e));
            return 1;
        }
    }

    private static YearMonth month(List<String> args) {
        if (args.size() != 2 || !args.get(0).equals("--month")) {
            throw new IllegalArgumentException("usage: java -jar trip-pipeline.jar stats --month YYYY-MM");
        }
        try {
            return YearMonth.parse(args.get(1));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--month " + args.get(1) + " is not a month in the form YYYY-MM");
        }
    }

}
