package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.CdcToLakeTest.tableRows;

/** Changes made while the pipeline is down arrive after it restarts; poison records go to the dead-letter topic. */
class RestartAndDeadLetterTest {

    private static final String LATEST_COLUMNS = """
            SELECT trip_id, vehicle_id, epoch_us(started_at), epoch_us(ended_at), epoch_us(local_start),
                   CAST(distance_km AS VARCHAR), CAST(trip_date AS VARCHAR), passengers, rating, paid, note
            FROM""" + " " + Lake.LATEST + " ORDER BY trip_id";

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

    private static void awaitLakeEqualsTable(Lake lake, String name) throws Exception {
        List<List<String>> expected = tableRows(name);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(lake.query(LATEST_COLUMNS)).isEqualTo(expected));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
