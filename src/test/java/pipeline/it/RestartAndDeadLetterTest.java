package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** Changes made while the pipeline is down arrive after it restarts; poison records go to the dead-letter topic. */
class RestartAndDeadLetterTest {

    @Test
    void changesMadeWhileStoppedArriveAfterRestartWithoutANewSnapshot() throws Exception {
        String name = "trip_restart";
        createTable(name);
        execute("INSERT INTO public.trip_restart (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-05-01 10:00+00')");
        RunningPipeline pipeline = new RunningPipeline(name);
        Lake lake = new Lake(pipeline.bucket, pipeline.table);
        try (pipeline) {
            pipeline.start();
            execute("INSERT INTO public.trip_restart (trip_id, vehicle_id, started_at) VALUES (2, 'v-2', '2024-05-02 10:00+00')");
            awaitLakeEqualsTable(lake, name);

            pipeline.stop();
            execute("INSERT INTO public.trip_restart (trip_id, vehicle_id, started_at) VALUES (3, 'v-3', '2024-05-03 10:00+00')");
            execute("UPDATE public.trip_restart SET ended_at = '2024-05-01 11:00+00', distance_km = 42.042 WHERE trip_id = 1");
            execute("DELETE FROM public.trip_restart WHERE trip_id = 2");

            pipeline.start();
            awaitLakeEqualsTable(lake, name);
            assertThat(lake.query("SELECT count(*) FROM {events} WHERE __op = 'r'"))
                    .as("Debezium's offsets survived the restart: the table was snapshotted once")
                    .containsExactly(List.of("1"));
        }
    }

    @Test
    void aRecordThatIsNoChangeEventGoesToTheDeadLetterTopicAndLaterChangesStillArrive() throws Exception {
        String name = "trip_dlq";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            execute("INSERT INTO public.trip_dlq (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-06-01 10:00+00')");
            awaitLakeEqualsTable(lake, name);

            byte[] poison = "this is not a change event".getBytes(StandardCharsets.UTF_8);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    "bootstrap.servers", SharedServers.get().kafka.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(pipeline.changeTopic(), "k".getBytes(StandardCharsets.UTF_8), poison)).get();
            }
            execute("INSERT INTO public.trip_dlq (trip_id, vehicle_id, started_at) VALUES (2, 'v-2', '2024-06-02 10:00+00')");
            awaitLakeEqualsTable(lake, name);

            List<ConsumerRecord<byte[], byte[]>> letters = Topics.read(pipeline.topicPrefix + ".dlq", 1);
            assertThat(letters).hasSize(1);
            ConsumerRecord<byte[], byte[]> letter = letters.get(0);
            assertThat(letter.value()).isEqualTo(poison);
            assertThat(header(letter, "__connect.errors.topic")).isEqualTo(pipeline.changeTopic());
            assertThat(header(letter, "__connect.errors.partition")).isEqualTo("0");
            assertThat(Long.parseLong(header(letter, "__connect.errors.offset"))).isPositive();
            assertThat(header(letter, "__connect.errors.exception.message")).contains("JsonConverter");
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
