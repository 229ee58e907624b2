package pipeline.observe;

import java.time.Clock;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.cdc.DebeziumBatchComponent;
import pipeline.compaction.LakeCompaction;
import pipeline.lake.LakeBatch;
import pipeline.lake.LakeFile;
import pipeline.stats.StatisticsJob;

/**
 * The pipeline's own Prometheus series, next to Camel's route metrics on {@code /observe/metrics},
 * and the log line an operator reads for each Parquet file stored.
 */
public final class PipelineMetrics implements StatisticsJob.Listener, LakeCompaction.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineMetrics.class);

    private final String topicPrefix;
    private final String bucket;
    private final Clock clock;
    private final AtomicLong lastUploadSeconds = new AtomicLong();
    private final AtomicLong activity = new AtomicLong();
    private final AtomicReference<StatisticsRun> lastStatisticsRun = new AtomicReference<>();
    /** Until the metrics service has started, counts go to a registry nobody scrapes. */
    private volatile MeterRegistry registry = new SimpleMeterRegistry();

    /** The latest statistics run, as the gauges show it. */
    private record StatisticsRun(YearMonth month, double seconds, long vehicles, long trips, boolean succeeded, long finishedSeconds) {
    }

    public PipelineMetrics(String topicPrefix, String bucket, Clock clock) {
        this.topicPrefix = topicPrefix;
        this.bucket = bucket;
        this.clock = clock;
    }

    /** Registers the series in the registry that {@code /observe/metrics} exports; {@code leading} tells whether this instance leads. */
    public void publishTo(MeterRegistry exported, java.util.function.BooleanSupplier leading) {
        registry = exported;
        // a gauge only weakly holds what it reads, and nothing else holds this lambda
        Gauge.builder("pipeline.leader", leading, lead -> lead.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 on the instance that runs cdc-to-kafka and the scheduled statistics, 0 on a standby").register(registry);
        registry.counter("pipeline.dlq.records");
        registry.counter("pipeline.statistics.restatements");
        registry.counter("pipeline.lake.compactions");
        registry.counter("pipeline.lake.files.compacted");
        Gauge.builder("pipeline.lake.last.upload.timestamp", lastUploadSeconds, AtomicLong::get).baseUnit("seconds")
                .description("When the lake writer last stored a Parquet file (0: not yet)").register(registry);
        statisticsGauge("month", "Month of the latest statistics run, as YYYYMM",
                run -> run.month().getYear() * 100 + run.month().getMonthValue());
        statisticsGauge("duration.seconds", "How long the latest statistics run took", StatisticsRun::seconds);
        statisticsGauge("vehicles", "Vehicles in the latest statistics run's result", StatisticsRun::vehicles);
        statisticsGauge("trips", "Trips in the latest statistics run's result", StatisticsRun::trips);
        statisticsGauge("success", "1 when the latest statistics run published its result, 0 when it failed",
                run -> run.succeeded() ? 1 : 0);
        statisticsGauge("timestamp.seconds", "When the latest statistics run ended", StatisticsRun::finishedSeconds);
    }

    private void statisticsGauge(String name, String description, java.util.function.ToDoubleFunction<StatisticsRun> value) {
        Gauge.builder("pipeline.statistics.last.run." + name, lastStatisticsRun,
                last -> last.get() == null ? Double.NaN : value.applyAsDouble(last.get()))
                .description(description).register(registry);
    }

    /** After cdc-to-kafka's batch was acknowledged by Kafka: the change events it published, per table. */
    public void changesPublished(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<SourceRecord> records = exchange.getProperty(DebeziumBatchComponent.RECORDS, List.class);
        String tablePrefix = topicPrefix + ".";
        Map<String, Integer> perTopic = new HashMap<>();
        for (SourceRecord record : records) {
            // heartbeats and tombstones are not change events
            if (record.value() != null && record.topic().startsWith(tablePrefix)) {
                perTopic.merge(record.topic(), 1, Integer::sum);
            }
        }
        perTopic.forEach((topic, events) -> {
            registry.counter("pipeline.change.events.captured", "table", topic.substring(tablePrefix.length())).increment(events);
            activity.addAndGet(events);
        });
    }

    /** Change events published to Kafka and statistics runs ended since start: unchanged between two looks, the pipeline was idle. */
    public long activity() {
        return activity.get();
    }

    /** After kafka-to-s3 stored and committed a batch: one log line and the counts per file. */
    public void lakeBatchStored(Exchange exchange) {
        LakeBatch batch = exchange.getMessage().getBody(LakeBatch.class);
        double seconds = (System.currentTimeMillis() - exchange.getClock().getCreated()) / 1000.0;
        for (LakeFile file : batch.files()) {
            LOG.info("Wrote s3://{}/{}: table {}, partition {}, offsets {}-{}, {} rows, {} bytes, {} s", bucket, file.objectKey(),
                    file.table(), file.partition(), file.firstOffset(), file.lastOffset(), file.rows(), file.content().length,
                    String.format("%.2f", seconds));
            registry.counter("pipeline.change.events.written", "table", file.table()).increment(file.rows());
            registry.counter("pipeline.parquet.files.written", "table", file.table()).increment();
            registry.counter("pipeline.parquet.bytes.written", "table", file.table()).increment(file.content().length);
        }
        registry.counter("pipeline.dlq.records").increment(batch.rejected().size());
        if (!batch.files().isEmpty()) {
            lastUploadSeconds.set(clock.instant().getEpochSecond());
        }
    }

    @Override
    public void compacted(String table, int filesReplaced) {
        activity.incrementAndGet();
        registry.counter("pipeline.lake.compactions").increment();
        registry.counter("pipeline.lake.files.compacted").increment(filesReplaced);
    }

    @Override
    public void succeeded(StatisticsJob.Summary summary) {
        activity.incrementAndGet();
        lastStatisticsRun.set(new StatisticsRun(summary.month(), summary.seconds(), summary.vehicles(), summary.trips(), true,
                clock.instant().getEpochSecond()));
        if (summary.published() && summary.reason() == StatisticsJob.Reason.LATE_CHANGES) {
            registry.counter("pipeline.statistics.restatements").increment();
        }
    }

    @Override
    public void failed(YearMonth month, double seconds, Exception failure) {
        activity.incrementAndGet();
        lastStatisticsRun.set(new StatisticsRun(month, seconds, 0, 0, false, clock.instant().getEpochSecond()));
    }
}
