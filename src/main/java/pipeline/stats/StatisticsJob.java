package pipeline.stats;

import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Computes one month's vehicle statistics from the raw lake in S3 and publishes them: the Parquet
 * file first, then the {@code _SUCCESS} manifest, each replacing the previous run's object whole.
 */
public final class StatisticsJob {

    private static final Logger LOG = LoggerFactory.getLogger(StatisticsJob.class);

    /** What a run did, as the one-line summary an operator reads. */
    public record Summary(YearMonth month, int vehicles, long trips, long events, int files, double seconds) {
        @Override
        public String toString() {
            return String.format("statistics for %s: %,d vehicles, %,d trips from %,d events in %,d files, %.1f s",
                    month, vehicles, trips, events, files, seconds);
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

    public StatisticsJob(S3Client s3, String bucket, String table, TripColumns columns, ZoneId zone) {
        this.s3 = s3;
        this.bucket = bucket;
        this.table = table;
        this.lakeTrips = new LakeTrips(columns, zone);
    }

    public StatisticsJob withListener(Listener listener) {
        this.listener = listener;
        return this;
    }

    public Summary run(YearMonth month, boolean lakeCaughtUp) {
        long started = System.nanoTime();
        try {
            Summary summary = compute(month, lakeCaughtUp, started);
            listener.succeeded(summary);
            return summary;
        } catch (RuntimeException e) {
            listener.failed(month, (System.nanoTime() - started) / 1e9, e);
            throw e;
        }
    }

    private Summary compute(YearMonth month, boolean lakeCaughtUp, long started) {
        List<String> files = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/" + table + "/")).contents().stream()
                .map(S3Object::key).filter(key -> key.endsWith(".parquet")).toList();
        MonthlyStatistics statistics = new MonthlyStatistics(month);
        LakeTrips.Reading reading = lakeTrips.read(month, files,
                key -> s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray(), statistics);
        List<VehicleMonth> rows = statistics.result();
        String prefix = StatisticsOutput.prefix(month);
        s3.putObject(r -> r.bucket(bucket).key(prefix + "part-00000.parquet"), RequestBody.fromBytes(StatisticsOutput.parquet(rows)));
        s3.putObject(r -> r.bucket(bucket).key(prefix + "_SUCCESS"),
                RequestBody.fromBytes(StatisticsOutput.manifest(month, rows, reading, lakeCaughtUp)));
        Summary summary = new Summary(month, rows.size(), rows.stream().mapToLong(VehicleMonth::tripCount).sum(),
                reading.events(), reading.files(), (System.nanoTime() - started) / 1e9);
        LOG.info("{}", summary);
        return summary;
    }
}
