package pipeline.stats;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What route monthly-stats does on each firing: the previous month (in the pipeline's zone), then
 * every month since {@code pipeline.stats.since} that has no result yet, oldest first, as Airflow's
 * catch-up would; and what route restate-stats does on each tick: the latest published months
 * recomputed, re-published only when late changes altered them. Runs one computation at a time.
 */
public final class MonthlyStatisticsService {

    private static final Logger LOG = LoggerFactory.getLogger(MonthlyStatisticsService.class);

    private final StatisticsJob job;
    private final S3Client s3;
    private final String bucket;
    private final YearMonth since;
    private final ZoneId zone;
    private final Clock clock;
    private final LakeWait lakeWait;
    private final int restateMonths;

    /** Waits for the lake writer to catch up; true when it did. */
    @FunctionalInterface
    public interface LakeWait {
        boolean await() throws InterruptedException;
    }

    public MonthlyStatisticsService(StatisticsJob job, S3Client s3, String bucket, YearMonth since, ZoneId zone, Clock clock,
            LakeWait lakeWait, int restateMonths) {
        this.job = job;
        this.s3 = s3;
        this.bucket = bucket;
        this.since = since;
        this.zone = zone;
        this.clock = clock;
        this.lakeWait = lakeWait;
        this.restateMonths = restateMonths;
    }

    /** A cron firing: the previous month, then the months still missing. */
    public synchronized List<StatisticsJob.Summary> onFiring() throws InterruptedException {
        createBucketIfMissing();
        boolean caughtUp = lakeWait.await();
        List<StatisticsJob.Summary> done = new ArrayList<>();
        YearMonth previous = previousMonth();
        done.add(job.run(previous, caughtUp, StatisticsJob.Reason.SCHEDULE));
        done.addAll(run(missingMonths(previous), caughtUp, StatisticsJob.Reason.CATCH_UP));
        return done;
    }

    /** On demand (the console, a backfill): one month, after waiting for the lake writer. */
    public synchronized StatisticsJob.Summary compute(YearMonth month) throws InterruptedException {
        createBucketIfMissing();
        return job.run(month, lakeWait.await(), StatisticsJob.Reason.ON_DEMAND);
    }

    /**
     * A restatement (contract 6.2): the latest {@code pipeline.stats.restate-months} months that have a
     * result, recomputed after waiting for the lake writer; only those whose result changed are re-published.
     */
    public synchronized List<StatisticsJob.Summary> restate() throws InterruptedException {
        List<YearMonth> months = publishedMonths();
        if (months.isEmpty()) {
            return List.of();
        }
        boolean caughtUp = lakeWait.await();
        return run(months.subList(Math.max(0, months.size() - restateMonths), months.size()), caughtUp,
                StatisticsJob.Reason.LATE_CHANGES);
    }

    /** When this instance becomes the leader (at start-up, after a failover): only the months since {@code since} that have no result yet. */
    public synchronized List<StatisticsJob.Summary> catchUp() throws InterruptedException {
        createBucketIfMissing();
        List<YearMonth> missing = missingMonths(null);
        if (missing.isEmpty()) {
            return List.of();
        }
        LOG.info("Catching up monthly statistics for {}", missing);
        return run(missing, lakeWait.await(), StatisticsJob.Reason.CATCH_UP);
    }

    /** The lake writer creates the bucket at its first upload; the statistics may come first, as of a table without changes. */
    private void createBucketIfMissing() {
        try {
            s3.headBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(r -> r.bucket(bucket));
            } catch (BucketAlreadyOwnedByYouException raced) {
                // the lake writer's first upload created it meanwhile
            }
        }
    }

    private List<StatisticsJob.Summary> run(List<YearMonth> months, boolean caughtUp, StatisticsJob.Reason reason) {
        List<StatisticsJob.Summary> done = new ArrayList<>();
        for (YearMonth month : months) {
            done.add(job.run(month, caughtUp, reason));
        }
        return done;
    }

    /** The months that have a published result, oldest first. */
    private List<YearMonth> publishedMonths() {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(StatisticsOutput.ROOT)).contents().stream()
                .map(S3Object::key).map(StatisticsOutput::publishedMonth).flatMap(Optional::stream).sorted().toList();
    }

    private List<YearMonth> missingMonths(YearMonth except) {
        List<YearMonth> missing = new ArrayList<>();
        YearMonth last = previousMonth();
        for (YearMonth month = since == null ? last : since; !month.isAfter(last); month = month.plusMonths(1)) {
            if (!month.equals(except) && !published(month)) {
                missing.add(month);
            }
        }
        return missing;
    }

    private boolean published(YearMonth month) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(StatisticsOutput.prefix(month) + "_SUCCESS"));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private YearMonth previousMonth() {
        return YearMonth.now(clock.withZone(zone)).minusMonths(1);
    }
}
