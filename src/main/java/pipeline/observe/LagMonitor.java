package pipeline.observe;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.config.SourceDatabase;
import pipeline.lake.LakeWriterOffsets;

/**
 * Measures how far the pipeline is behind: the lake writer's consumer lag and the age of its oldest
 * unflushed event (the first record after its committed offset), and the WAL the replication slot
 * holds on the source server. Publishes them as gauges and warns when the lake is more than three
 * flush intervals behind or the slot holds more than 1 GiB. Measures every 15 seconds while the
 * pipeline works (changes flow, the lake is behind, statistics ran), and every minute while it is
 * idle, when the lag cannot grow but the slot check must still notice a capture that stopped; tells
 * {@code whenIdle} each time the pipeline falls idle.
 */
public final class LagMonitor extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(LagMonitor.class);
    private static final Duration PERIOD_WHILE_ACTIVE = Duration.ofSeconds(15);
    private static final Duration PERIOD_WHILE_IDLE = Duration.ofMinutes(1);
    private static final long SLOT_WARNING_BYTES = 1L << 30;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    private final CamelContext context;
    private final PipelineSettings settings;
    private final LongSupplier activity;
    private final Runnable whenIdle;
    private final AtomicLong consumerLag = new AtomicLong(-1);
    private final AtomicLong oldestUnflushedMillis = new AtomicLong(-1);
    private final AtomicLong slotLagBytes = new AtomicLong(-1);
    private ScheduledExecutorService scheduler;
    private long activityAtLastMeasurement = -1;
    private boolean idle;

    /** {@code activity}: a count that grows while the pipeline works (changes captured, statistics runs). */
    public LagMonitor(CamelContext context, PipelineSettings settings, MeterRegistry registry, LongSupplier activity, Runnable whenIdle) {
        this.context = context;
        this.settings = settings;
        this.activity = activity;
        this.whenIdle = whenIdle;
        Gauge.builder("pipeline.lake.consumer.lag", consumerLag, AtomicLong::get)
                .description("Change events not yet committed by the lake writer (-1: unknown)").register(registry);
        Gauge.builder("pipeline.lake.oldest.unflushed.event.age", oldestUnflushedMillis,
                millis -> millis.get() < 0 ? -1 : millis.get() / 1000.0)
                .baseUnit("seconds").description("Age of the oldest change event not yet in the lake (0: none, -1: unknown)")
                .register(registry);
        Gauge.builder("pipeline.replication.slot.lag", slotLagBytes, AtomicLong::get).baseUnit("bytes")
                .description("WAL the replication slot keeps on the source server (-1: unknown)").register(registry);
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "lag-monitor");
        measureAfter(PERIOD_WHILE_ACTIVE);
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    private void measureAfter(Duration delay) {
        scheduler.schedule(() -> {
            long work = activity.getAsLong();
            measure();
            boolean wasIdle = idle;
            idle = work == activityAtLastMeasurement && consumerLag.get() == 0;
            activityAtLastMeasurement = work;
            if (idle && !wasIdle) {
                whenIdle.run();
            }
            measureAfter(idle ? PERIOD_WHILE_IDLE : PERIOD_WHILE_ACTIVE);
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    void measure() {
        try {
            measureLake();
        } catch (Exception e) {
            // unknown, not the last value seen: a frozen gauge would say the lake is fine while Kafka is away
            consumerLag.set(-1);
            oldestUnflushedMillis.set(-1);
            LOG.debug("Could not measure the lake writer's lag: {}", RootCause.describe(e));
        }
        try {
            measureSlot();
        } catch (Exception e) {
            slotLagBytes.set(-1);
            LOG.debug("Could not measure the replication slot's lag: {}", RootCause.describe(e));
        }
    }

    /** With Kafka clients opened for the measurement: kept open between measurements, they would wake up in between. */
    private void measureLake() throws Exception {
        List<String> topics = settings.pg.tables.stream().map(settings.kafka::changeTopic).toList();
        Map<String, Object> client = PipelineSettings.Kafka.withCallTimeout(settings.kafka.clientProperties(), ADMIN_TIMEOUT);
        Map<TopicPartition, Long> firstUncommitted = new HashMap<>();
        long lag = 0;
        try (Admin admin = Admin.create(client)) {
            Map<TopicPartition, Long> committed = LakeWriterOffsets.committed(admin, settings.kafka.groupId, ADMIN_TIMEOUT);
            for (var end : LakeWriterOffsets.endOffsets(admin, topics, ADMIN_TIMEOUT).entrySet()) {
                long from = committed.getOrDefault(end.getKey(), 0L);
                if (end.getValue() > from) {
                    lag += end.getValue() - from;
                    firstUncommitted.put(end.getKey(), from);
                }
            }
        }
        long oldest = firstUncommitted.isEmpty() ? Long.MAX_VALUE : oldestTimestamp(client, firstUncommitted);
        consumerLag.set(lag);
        long age = oldest == Long.MAX_VALUE ? 0 : System.currentTimeMillis() - oldest;
        oldestUnflushedMillis.set(age);
        if (age > 3 * settings.lake.flushInterval.toMillis()) {
            LOG.warn("The lake is behind: {} change events not yet stored, the oldest for {} s (flush interval {} s)", lag,
                    age / 1000, settings.lake.flushInterval.toSeconds());
        }
    }

    /** The earliest of Kafka's timestamps of the records at these offsets. */
    private static long oldestTimestamp(Map<String, Object> client, Map<TopicPartition, Long> offsets) {
        Map<String, Object> consumer = new HashMap<>(client);
        consumer.put("max.poll.records", 1);
        consumer.put("enable.auto.commit", false);
        long oldest = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> peeker = new KafkaConsumer<>(consumer, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (var offset : offsets.entrySet()) {
                oldest = Math.min(oldest, timestampAt(peeker, offset.getKey(), offset.getValue()));
            }
        }
        return oldest;
    }

    /** Kafka's timestamp of the first record at or after {@code offset}; now when none is readable yet. */
    private static long timestampAt(KafkaConsumer<byte[], byte[]> peeker, TopicPartition partition, long offset) {
        peeker.assign(List.of(partition));
        peeker.seek(partition, offset);
        for (ConsumerRecord<byte[], byte[]> record : peeker.poll(Duration.ofSeconds(2))) {
            return record.timestamp();
        }
        return System.currentTimeMillis();
    }

    private void measureSlot() throws Exception {
        try (Connection connection = SourceDatabase.connect(settings, 5);
                PreparedStatement query = connection.prepareStatement(
                        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, settings.pg.slot);
            try (ResultSet rows = query.executeQuery()) {
                long bytes = rows.next() ? rows.getLong(1) : -1;
                slotLagBytes.set(bytes);
                if (bytes > SLOT_WARNING_BYTES) {
                    LOG.warn("Replication slot {} holds {} MB of WAL on the source server: the pipeline is behind or stopped reading",
                            settings.pg.slot, bytes >> 20);
                }
            }
        }
    }
}
