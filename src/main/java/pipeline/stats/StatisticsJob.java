package pipeline.stats;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;
import pipeline.lake.LakeFileReads;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Computes one month's vehicle statistics from the raw lake in S3 and publishes them: the Parquet
 * file first, then the {@code _SUCCESS} manifest, each replacing the previous run's object whole.
 * Each publication of a month counts one revision. A restatement publishes only a result that
 * differs from the published one, and leaves an unchanged month's objects untouched.
 */
public final class StatisticsJob {

    private static final Logger LOG = LoggerFactory.getLogger(StatisticsJob.class);

    /** Why a month is computed, as the manifest's {@code reason} says (contract 6.2). */
    public enum Reason {
        SCHEDULE("schedule"), CATCH_UP("catch-up"), ON_DEMAND("on-demand"), LATE_CHANGES("late-changes");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    /**
     * What a run did, as the one-line summary an operator reads.
     *
     * @param revision the published revision, or the one left in place when a restatement found no change
     * @param published false when a restatement found the published result unchanged
     */
    public record Summary(YearMonth month, int vehicles, long trips, long events, int files, double seconds, Reason reason,
            long revision, boolean published) {
        @Override
        public String toString() {
            return String.format("statistics for %s%s: %,d vehicles, %,d trips from %,d events in %,d files, %.1f s, revision %d (%s)",
                    month, published ? "" : " unchanged", vehicles, trips, events, files, seconds, revision, reason.label);
        }
    }

    /** Told of every run's outcome, e.g. for metrics. */
    public interface Listener {
        void succeeded(Summary summary);

        void failed(YearMonth month, double seconds, Exception failure);
    }

    private final S3Client s3;
    private final String bucket;
    private final String table;
    private final LakeTrips lakeTrips;
    private Listener listener = new Listener() {
        @Override
        public void succeeded(Summary summary) {
        }

        @Override
        public void failed(YearMonth month, double seconds, Exception failure) {
        }
    };

    public StatisticsJob(S3Client s3, String bucket, String table, LakeTrips lakeTrips) {
        this.s3 = s3;
        this.bucket = bucket;
        this.table = table;
        this.lakeTrips = lakeTrips;
    }

    /**
     * What an on-demand run of a month that has not begun in {@code zone} adds to its summary line: its
     * result counts only the trips known now (empty otherwise).
     */
    public static String notBegunRemark(YearMonth month, ZoneId zone, Clock clock) {
        YearMonth current = YearMonth.now(clock.withZone(zone));
        return month.isAfter(current)
                ? " (" + month + " has not begun yet in " + zone + ", it is " + current + " there: trips still to come are not counted)"
                : "";
    }

    /** The job the settings describe (pipeline.stats.*, pipeline.timezone, the bucket). */
    public static StatisticsJob of(S3Client s3, PipelineSettings settings) {
        TripColumns columns = new TripColumns(settings.stats.keyColumn, settings.stats.vehicleColumn, settings.stats.startColumn,
                settings.stats.endColumn, settings.stats.distanceColumn);
        return new StatisticsJob(s3, settings.s3.bucket, settings.stats.table,
                new LakeTrips(columns, settings.timezone, settings.stats.keepDeletedAfter));
    }

    public StatisticsJob withListener(Listener listener) {
        this.listener = listener;
        return this;
    }

    public Summary run(YearMonth month, boolean lakeCaughtUp, Reason reason) {
        long started = System.nanoTime();
        try {
            Summary summary = compute(month, lakeCaughtUp, reason, started);
            listener.succeeded(summary);
            return summary;
        } catch (RuntimeException e) {
            listener.failed(month, (System.nanoTime() - started) / 1e9, e);
            throw e;
        }
    }

    private Summary compute(YearMonth month, boolean lakeCaughtUp, Reason reason, long started) {
        List<String> files = LakeFileReads.rawFiles(s3, bucket, table).stream().map(S3Object::key).toList();
        MonthlyStatistics statistics = new MonthlyStatistics(month);
        // compaction may swap files while they are read: a vanished file is read from what replaced it
        LakeTrips.Reading reading = lakeTrips.read(month, files, () -> new LakeFileReads(s3, bucket, files)::read, statistics);
        List<VehicleMonth> rows = statistics.result();
        String prefix = StatisticsOutput.prefix(month);
        long publishedRevision = download(prefix + "_SUCCESS").map(StatisticsOutput::revision).orElse(0L);
        boolean changed = reason != Reason.LATE_CHANGES || publishedRevision == 0
                || !download(prefix + "part-00000.parquet").map(StatisticsOutput::rows)
                        .map(published -> StatisticsOutput.sameResult(published, rows))
                        .orElse(false);
        long revision = changed ? publishedRevision + 1 : publishedRevision;
        if (changed) {
            s3.putObject(r -> r.bucket(bucket).key(prefix + "part-00000.parquet"), RequestBody.fromBytes(StatisticsOutput.parquet(rows)));
            s3.putObject(r -> r.bucket(bucket).key(prefix + "_SUCCESS"),
                    RequestBody.fromBytes(StatisticsOutput.manifest(month, rows, reading, lakeCaughtUp, revision, reason)));
        }
        Summary summary = new Summary(month, rows.size(), rows.stream().mapToLong(VehicleMonth::tripCount).sum(),
                reading.events(), reading.files(), (System.nanoTime() - started) / 1e9, reason, revision, changed);
        LOG.info("{}", summary);
        return summary;
    }

    private Optional<byte[]> download(String key) {
        try {
            return Optional.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
