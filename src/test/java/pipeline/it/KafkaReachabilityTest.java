package pipeline.it;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import pipeline.config.KafkaReachability;
import pipeline.config.PipelineSettings;
import pipeline.config.PipelineSettingsTest;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;

/** The probe the health check and the start of Debezium's engine share, against a real broker and a port nobody serves. */
class KafkaReachabilityTest {

    @Test
    void aRunningBrokerAnswers() throws Exception {
        assertThat(KafkaReachability.problem(kafka(SharedServers.get().kafka.bootstrapServers()), Duration.ofSeconds(10))).isNull();
    }

    @Test
    void anAddressNobodyServesIsNamedWithTheWait() throws Exception {
        String address = "127.0.0.1:" + DevServers.freePort();
        long began = System.nanoTime();

        String problem = KafkaReachability.problem(kafka(address), Duration.ofSeconds(2));

        assertThat(problem).isEqualTo("Kafka at " + address + " did not answer within 2 s");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(10));
    }

    private static PipelineSettings.Kafka kafka(String brokers) throws Exception {
        Map<String, String> properties = PipelineSettingsTest.defaults();
        properties.put("pipeline.kafka.brokers", brokers);
        return new PipelineSettings(properties::get).kafka;
    }
}
