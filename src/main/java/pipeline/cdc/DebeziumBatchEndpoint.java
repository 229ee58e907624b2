package pipeline.cdc;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultEndpoint;

/** Endpoint of {@link DebeziumBatchComponent}; consume only. */
public final class DebeziumBatchEndpoint extends DefaultEndpoint {

    private final PostgresConnectorEmbeddedDebeziumConfiguration configuration;

    DebeziumBatchEndpoint(String uri, DebeziumBatchComponent component, PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("Debezium is a source only: " + getEndpointUri());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        DebeziumBatchConsumer consumer = new DebeziumBatchConsumer(this, processor, configuration);
        configureConsumer(consumer);
        return consumer;
    }
}
