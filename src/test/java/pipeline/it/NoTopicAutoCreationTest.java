package pipeline.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * A broker that creates no topic on first use, as managed Kafka services are often set up: the
 * pipeline creates every topic it writes to, Debezium's heartbeat topic included, so the changes
 * and the heartbeats that keep the slot moving go through.
 */
class NoTopicAutoCreationTest {

    @Test
    void changesAndHeartbeatsReachABrokerThatCreatesNoTopic(@TempDir Path dir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), DevServers.freePort(), DevServers.freePort(),
                Map.of("auto.create.topics.enable", "false"));
        String name = "trip_no_auto_create";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.kafka.brokers", kafka.bootstrapServers())) {
            pipeline.start();
            execute("INSERT INTO public.trip_no_auto_create (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-11-01 10:00+00')");
            awaitLakeEqualsTable(new Lake(pipeline.bucket, pipeline.table), name);
            String heartbeats = "__debezium-heartbeat." + pipeline.topicPrefix;
            await().alias("a heartbeat on " + heartbeats).atMost(Duration.ofSeconds(60))
                    .until(() -> Topics.read(kafka.bootstrapServers(), heartbeats, 1), records -> !records.isEmpty());
            assertThat(Topics.read(kafka.bootstrapServers(), pipeline.changeTopic(), 1)).hasSize(1);
        } finally {
            kafka.close();
        }
    }
}
