package pipeline.config;

import java.util.HashMap;
import java.util.Map;

/**
 * What every Kafka client of the pipeline needs to reach the brokers: their address and, when
 * configured, TLS and SASL. Camel's routes get the same values through application.properties;
 * Debezium's offset store, the health probe and the offset lookups get them from here.
 */
public final class KafkaClients {

    /**
     * fetch.max.wait.ms of the pipeline's consumers. A consumer at the end of its topic asks the broker
     * again each time this wait runs out: Kafka's 500 ms woke the idle process twice a second per
     * consumer. The broker answers as soon as a record arrives, so the wait adds no latency; but closing
     * a consumer waits as long for the broker to end its fetch session (10 s made stopping the pipeline
     * take 19 s instead of 7), so the wait stays short.
     */
    public static final int IDLE_FETCH_WAIT_MS = 2_000;

    private KafkaClients() {
    }

    public static Map<String, Object> properties(PipelineSettings settings) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("bootstrap.servers", settings.kafkaBrokers);
        properties.put("security.protocol", settings.kafkaSecurityProtocol);
        putIfSet(properties, "ssl.truststore.location", settings.kafkaTruststoreLocation);
        putIfSet(properties, "ssl.truststore.password", settings.kafkaTruststorePassword);
        putIfSet(properties, "ssl.keystore.location", settings.kafkaKeystoreLocation);
        putIfSet(properties, "ssl.keystore.password", settings.kafkaKeystorePassword);
        putIfSet(properties, "sasl.mechanism", settings.kafkaSaslMechanism);
        putIfSet(properties, "sasl.jaas.config", settings.kafkaSaslJaasConfig);
        return properties;
    }

    /** The same, plus settings of one client. */
    public static Map<String, Object> properties(PipelineSettings settings, Map<String, Object> more) {
        Map<String, Object> properties = properties(settings);
        properties.putAll(more);
        return properties;
    }

    private static void putIfSet(Map<String, Object> properties, String key, String value) {
        if (!value.isEmpty()) {
            properties.put(key, value);
        }
    }
}
