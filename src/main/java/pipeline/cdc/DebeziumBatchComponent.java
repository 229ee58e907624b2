package pipeline.cdc;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultComponent;

/**
 * Debezium's Postgres connector as a Camel consumer that hands the route one exchange per
 * Debezium batch, holding the original {@code SourceRecord}s (key and value with their schemas).
 * Camel's own debezium-postgres consumer passes one record at a time, drops the envelope and
 * lets the engine commit an event whose processing failed; this one marks a batch processed only
 * after the route finished it without an exception.
 */
public final class DebeziumBatchComponent extends DefaultComponent {

    /** Exchange property holding the batch's {@code List<SourceRecord>}, kept after the body is replaced. */
    public static final String RECORDS = DebeziumBatchConsumer.RECORDS;

    /** Looks at the source and at Kafka before each start of the engine. */
    @FunctionalInterface
    public interface StartCheck {
        /** Why capture must not start now, or null. */
        String problem() throws Exception;
    }

    private final PostgresConnectorEmbeddedDebeziumConfiguration configuration;
    private final StartCheck startCheck;
    private final java.util.Set<DebeziumBatchConsumer> consumers = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DebeziumBatchComponent(PostgresConnectorEmbeddedDebeziumConfiguration configuration, StartCheck startCheck) {
        this.configuration = configuration;
        this.startCheck = startCheck;
    }

    StartCheck startCheck() {
        return startCheck;
    }

    /** Why capturing fails right now (the last engine failure, until a batch goes through again), or null. */
    public String captureFailure() {
        return consumers.stream().map(DebeziumBatchConsumer::failure).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    void started(DebeziumBatchConsumer consumer) {
        consumers.add(consumer);
    }

    void stopped(DebeziumBatchConsumer consumer) {
        consumers.remove(consumer);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        PostgresConnectorEmbeddedDebeziumConfiguration endpointConfiguration = (PostgresConnectorEmbeddedDebeziumConfiguration) configuration
                .copy();
        endpointConfiguration.setName(remaining);
        DebeziumBatchEndpoint endpoint = new DebeziumBatchEndpoint(uri, this, endpointConfiguration);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
