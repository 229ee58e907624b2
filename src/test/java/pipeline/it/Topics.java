package pipeline.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning, as any Kafka consumer would, or its end offset. */
final class Topics {

    private Topics() {
    }

    /** The records of {@code topic}, waiting up to 15 s for the first {@code atLeast} of them. */
    static List<ConsumerRecord<byte[], byte[]>> read(String topic, int atLeast) {
        return read(SharedServers.get().kafka.bootstrapServers(), topic, atLeast);
    }

    /** The same, on another broker. */
    static List<ConsumerRecord<byte[], byte[]>> read(String brokers, String topic, int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", brokers,
                "group.id", "reader-" + System.nanoTime(),
                "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline && records.size() < atLeast) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }

    /** The offset the next record of partition 0 of {@code topic} will get. */
    static long endOffset(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", SharedServers.get().kafka.bootstrapServers()), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            return consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
        }
    }
}
