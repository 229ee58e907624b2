package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/** Changes captured while Kafka is down are held, not dropped, and arrive once the broker is back. */
class KafkaOutageTest {

    @Test
    void changesMadeWhileKafkaIsStoppedReachTheLakeAfterItReturns() throws Exception {
        Path logDir = Files.createTempDirectory("outage-kafka");
        int port = DevServers.freePort();
        int controllerPort = DevServers.freePort();
        EmbeddedKafka kafka = EmbeddedKafka.start(logDir, port, controllerPort);
        String brokers = kafka.bootstrapServers();
        String name = "trip_outage";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name)
                .with("pipeline.kafka.brokers", brokers)
                // fail sends within seconds instead of the producer's two minutes, so the route's retries are exercised
                .with("camel.component.kafka.request-timeout-ms", "1000")
                .with("camel.component.kafka.delivery-timeout-ms", "1500")
                .with("camel.component.kafka.max-block-ms", "100")
                .start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            execute("INSERT INTO public.trip_outage (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-08-01 10:00+00')");
            awaitLakeEqualsTable(lake, name);

            int retriesBefore = pipeline.redeliveries("cdc-to-kafka");
            kafka.close();
            kafka = null;
            for (int id = 2; id <= 20; id++) {
                execute("INSERT INTO public.trip_outage (trip_id, vehicle_id, started_at) VALUES (" + id + ", 'v-" + id
                        + "', '2024-08-02 10:00+00')");
            }
            execute("UPDATE public.trip_outage SET distance_km = 3.141 WHERE trip_id = 1");
            execute("DELETE FROM public.trip_outage WHERE trip_id = 2");
            await().atMost(Duration.ofSeconds(60))
                    .alias("Debezium hands the changes to the route, whose sends fail and are retried")
                    .until(() -> pipeline.redeliveries("cdc-to-kafka") >= retriesBefore + 2);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                    .alias("the lake's lag and oldest unflushed age read unknown (-1) while Kafka is away, not their last values")
                    .until(() -> {
                        String metrics = pipeline.get("/observe/metrics").body();
                        return ObserveTest.value(metrics, "pipeline_lake_consumer_lag", "") == -1
                                && ObserveTest.value(metrics, "pipeline_lake_oldest_unflushed_event_age_seconds", "") == -1;
                    });

            kafka = EmbeddedKafka.start(logDir, port, controllerPort);
            awaitLakeEqualsTable(lake, name);
            assertThat(lake.query("SELECT count(*) FROM {events} WHERE trip_id = 2 AND __deleted")).containsExactly(List.of("1"));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers))) {
                assertThat(admin.listTopics().names().get())
                        .as("retried batches went to their tables' topics, nowhere else")
                        .allMatch(topic -> topic.equals(pipeline.changeTopic()) || topic.startsWith("__")
                                || topic.equals(pipeline.topicPrefix + ".debezium-offsets") || topic.equals(pipeline.topicPrefix + ".dlq"));
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
    }

}
