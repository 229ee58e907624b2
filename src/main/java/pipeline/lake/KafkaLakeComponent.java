package pipeline.lake;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * Kafka change topics read by a member of the lake writer's consumer group and handed to the route
 * as lake batches: URI {@code kafka-lake:topic1,topic2}. camel-kafka's batching consumer holds every
 * raw record of a batch until it is handed over and starts a batch's clock at the previous hand-over;
 * this one writes each record into the batch's open Parquet files as it arrives and hands the batch
 * over when it holds {@code flushMaxRecords} records or its oldest record has waited
 * {@code flushInterval}. Offsets are committed only after the route stored the batch.
 */
public final class KafkaLakeComponent extends DefaultComponent {

    private final Map<String, Object> consumerProperties;
    private final Supplier<LakeBatchWriter> writers;
    private final int flushMaxRecords;
    private final Duration flushInterval;

    /** @param consumerProperties the Kafka consumer's settings, group id included */
    public KafkaLakeComponent(Map<String, Object> consumerProperties, Supplier<LakeBatchWriter> writers, int flushMaxRecords,
            Duration flushInterval) {
        this.consumerProperties = Map.copyOf(consumerProperties);
        this.writers = writers;
        this.flushMaxRecords = flushMaxRecords;
        this.flushInterval = flushInterval;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) {
        List<String> topics = Arrays.stream(remaining.split(",")).map(String::trim).filter(topic -> !topic.isEmpty()).toList();
        return new KafkaLakeEndpoint(uri, this, topics);
    }

    KafkaLakeConsumer.Settings consumerSettings(List<String> topics) {
        return new KafkaLakeConsumer.Settings(topics, consumerProperties, writers.get(), flushMaxRecords, flushInterval);
    }
}
