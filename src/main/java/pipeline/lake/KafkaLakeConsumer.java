package pipeline.lake;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Backoff;
import pipeline.config.RootCause;

/**
 * One thread that polls the change topics, adds each record to the open lake batch and, when the
 * batch is due, sends it through the route as one exchange; the batch's offsets are committed only
 * once the route completed it, so a crash anywhere before replays the batch, whose deterministic
 * file names make the replay overwrite instead of duplicate.
 */
final class KafkaLakeConsumer extends DefaultConsumer {

    record Settings(List<String> topics, Map<String, Object> properties, LakeBatchWriter writer, int flushMaxRecords,
            Duration flushInterval) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLakeConsumer.class);
    /** How long a poll waits while no batch is open; a stop wakes it up at once. */
    private static final Duration IDLE_POLL = Duration.ofSeconds(30);
    /** A poll that waited this long for more records of a late batch found the stream quiet: the batch is written. */
    private static final Duration QUIET = Duration.ofMillis(200);

    private final Settings settings;
    private final LakeBatchWriter writer;
    private ExecutorService executor;
    private volatile KafkaConsumer<ByteBuffer, ByteBuffer> kafka;

    KafkaLakeConsumer(KafkaLakeEndpoint endpoint, Processor processor, Settings settings) {
        super(endpoint, processor);
        this.settings = settings;
        this.writer = settings.writer();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        // the records' own buffers: each value is read once, so a copy per record would be garbage at once
        kafka = new KafkaConsumer<>(settings.properties(), new ByteBufferDeserializer(), new ByteBufferDeserializer());
        executor = getEndpoint().getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "lake-writer");
        executor.submit(this::consume);
    }

    @Override
    protected void doStop() throws Exception {
        if (kafka != null) {
            kafka.wakeup();
        }
        if (executor != null) {
            // a batch being stored is finished (and committed) or fails for good before the thread ends
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
        }
        super.doStop();
    }

    private void consume() {
        Duration retryDelay = Backoff.CHANGES.first();
        try {
            kafka.subscribe(settings.topics(), new DiscardRevoked());
            while (isRunAllowed()) {
                try {
                    ConsumerRecords<ByteBuffer, ByteBuffer> records = kafka.poll(untilDue());
                    for (ConsumerRecord<ByteBuffer, ByteBuffer> record : records) {
                        writer.add(new KafkaChange(record.topic(), record.partition(), record.offset(), record.key(), record.value()));
                        // after a rewind the rest of this poll comes again, behind the batch's own records
                        if (writer.size() >= settings.flushMaxRecords() && !deliver()) {
                            break;
                        }
                    }
                    boolean quietAndLate = records.isEmpty() && writer.waitsOnlyToFill(settings.flushInterval());
                    if (writer.size() > 0 && (quietAndLate || System.currentTimeMillis() >= writer.dueAtMillis(settings.flushInterval()))) {
                        deliver();
                    }
                    retryDelay = Backoff.CHANGES.first();
                } catch (WakeupException stopping) {
                    throw stopping;
                } catch (RuntimeException e) {
                    // a failure that is no bad record (a defect, Kafka refusing the group): the open batch is read again
                    LOG.error("The lake writer failed; its open batch is read again from Kafka in {} ms", retryDelay.toMillis(), e);
                    rewind(writer.abandon());
                    Thread.sleep(retryDelay.toMillis());
                    retryDelay = Backoff.CHANGES.after(retryDelay);
                }
            }
        } catch (WakeupException | InterruptedException stopping) {
            LOG.debug("Lake writer stopping");
        } finally {
            // an open batch is left uncommitted: the next start reads it again. A stop that had to interrupt
            // this thread still leaves the group cleanly: Kafka's close would otherwise fail on the interrupt.
            boolean interrupted = Thread.interrupted();
            kafka.close(Duration.ofSeconds(5));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Duration untilDue() {
        if (writer.size() == 0) {
            return IDLE_POLL;
        }
        Duration untilDue = Duration.ofMillis(Math.max(0, writer.dueAtMillis(settings.flushInterval()) - System.currentTimeMillis()));
        return writer.waitsOnlyToFill(settings.flushInterval()) && untilDue.compareTo(QUIET) > 0 ? QUIET : untilDue;
    }

    /** Stores the batch through the route, then commits its offsets; false when its records, and what follows them, are read again. */
    private boolean deliver() {
        if (stopping()) {
            // a batch due while the pipeline stops is not begun: its upload would meet endpoints already stopped
            LOG.info("Lake batch of {} events left for the next start: the pipeline is stopping", writer.size());
            rewind(writer.abandon());
            return false;
        }
        LakeBatch batch = writer.finish();
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(batch);
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        releaseExchange(exchange, false);
        if (failure != null) {
            // the route gave up only because the pipeline stops: nothing of the batch is committed
            if (!stopping()) {
                LOG.info("Lake batch not stored ({}); it is read again from Kafka", RootCause.describe(failure));
            } else {
                LOG.info("Lake batch not stored, the pipeline is stopping; it is read again at the next start");
            }
            rewind(firstOffsets(batch));
            return false;
        }
        return commit(batch);
    }

    /** This consumer or the whole pipeline stops: the pipeline's routes stop one after the other. */
    private boolean stopping() {
        return !isRunAllowed() || getEndpoint().getCamelContext().isStopping();
    }

    private boolean commit(LakeBatch batch) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        batch.offsets().forEach((partition, offsets) -> next.put(partition, new OffsetAndMetadata(offsets.last() + 1)));
        try {
            kafka.commitSync(next);
            return true;
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The group gave the partitions to a member (maybe this one again) while the batch was stored:
            // their owner replays from the last commit and rewrites the same file names.
            next.keySet().forEach(partition -> LOG.warn("Offsets of {} not committed, the group is rebalancing ({}); the batch will be "
                    + "replayed from the last commit", partition, e.getClass().getSimpleName()));
            return false;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("Offsets of {} not committed ({}); the batch is read again", next.keySet(), RootCause.describe(e));
            rewind(firstOffsets(batch));
            return false;
        }
    }

    /** Reads a batch's records again, from the partitions this member still owns. */
    private void rewind(Map<TopicPartition, Long> firstOffsets) {
        firstOffsets.forEach((partition, first) -> {
            if (kafka.assignment().contains(partition)) {
                kafka.seek(partition, first);
            }
        });
    }

    private static Map<TopicPartition, Long> firstOffsets(LakeBatch batch) {
        Map<TopicPartition, Long> first = new HashMap<>();
        batch.offsets().forEach((partition, offsets) -> first.put(partition, offsets.first()));
        return first;
    }

    /** Partitions taken away leave the open batch: their new owner reads them from the last commit. */
    private final class DiscardRevoked implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            writer.discard(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            writer.discard(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.info("Lake writer reads {}", partitions);
        }
    }
}
