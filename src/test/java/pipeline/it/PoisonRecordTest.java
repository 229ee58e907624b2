package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * On a broker with Kafka's default record limit (1 MB): a change carrying a 1.5 MB text still goes
 * through, because the pipeline creates its topics with room for it; records that are not JSON,
 * JSON without schema, values of the wrong type and a 3 MB record each go unchanged to the
 * dead-letter topic with their origin and error, and the changes around them reach the lake.
 */
class PoisonRecordTest {

    private static final int KAFKA_DEFAULT_MESSAGE_MAX_BYTES = 1_048_588;

    @Test
    void poisonGoesToTheDeadLetterTopicAndLargeChangesStillArrive(@TempDir Path dir) throws Exception {
        int port = DevServers.freePort();
        EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, DevServers.freePort(),
                Map.of("message.max.bytes", String.valueOf(KAFKA_DEFAULT_MESSAGE_MAX_BYTES)));
        String name = "trip_poison";
        createTable(name);
        try (kafka; RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.kafka.brokers", kafka.bootstrapServers()).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            execute("INSERT INTO public.trip_poison (trip_id, vehicle_id, started_at, note) "
                    + "VALUES (1, 'v-1', '2024-06-01 10:00+00', repeat('long note ', 150000))");
            awaitLakeEqualsTable(lake, name);

            byte[] validEnvelope = Topics.read(kafka.bootstrapServers(), pipeline.changeTopic(), 1).get(0).value();
            String envelope = new String(validEnvelope, StandardCharsets.UTF_8);
            assertThat(envelope).contains("\"trip_id\":1,");
            byte[] oversized = new byte[3 * 1024 * 1024];
            Arrays.fill(oversized, (byte) '{');
            List<byte[]> poison = List.of(
                    "trip 2 started at ten".getBytes(StandardCharsets.UTF_8),
                    "{\"before\":null,\"after\":{\"trip_id\":2,\"vehicle_id\":\"v-2\"},\"op\":\"c\"}".getBytes(StandardCharsets.UTF_8),
                    envelope.replace("\"trip_id\":1,", "\"trip_id\":\"two\",").getBytes(StandardCharsets.UTF_8),
                    oversized);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "max.request.size", 8 * 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
                for (byte[] value : poison) {
                    producer.send(new ProducerRecord<>(pipeline.changeTopic(), "k".getBytes(StandardCharsets.UTF_8), value)).get();
                }
            }
            execute("INSERT INTO public.trip_poison (trip_id, vehicle_id, started_at) VALUES (3, 'v-3', '2024-06-03 10:00+00')");
            execute("UPDATE public.trip_poison SET note = 'short' WHERE trip_id = 1");
            awaitLakeEqualsTable(lake, name);

            List<ConsumerRecord<byte[], byte[]>> letters = Topics.read(kafka.bootstrapServers(), pipeline.topicPrefix + ".dlq",
                    poison.size());
            assertThat(letters).hasSize(poison.size());
            for (int i = 0; i < poison.size(); i++) {
                ConsumerRecord<byte[], byte[]> letter = letters.get(i);
                assertThat(letter.value()).as("dead letter %d unchanged", i).isEqualTo(poison.get(i));
                assertThat(header(letter, "__connect.errors.topic")).isEqualTo(pipeline.changeTopic());
                assertThat(header(letter, "__connect.errors.partition")).isEqualTo("0");
                assertThat(Long.parseLong(header(letter, "__connect.errors.offset"))).isPositive();
            }
            assertThat(header(letters.get(0), "__connect.errors.exception.message")).contains("not a JsonConverter record with schema");
            assertThat(header(letters.get(1), "__connect.errors.exception.message")).contains("no \"schema\" and \"payload\"");
            assertThat(header(letters.get(2), "__connect.errors.exception.message"))
                    .contains("field after.trip_id should be int64 but is string");
            assertThat(header(letters.get(3), "__connect.errors.exception.message")).contains("not a JsonConverter record with schema");
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
