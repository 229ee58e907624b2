package pipeline.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.embedded.Connect;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Debezium engine and sends each batch of change records through the route as one
 * exchange whose body is a {@code List<SourceRecord>}. The engine learns a record was processed
 * only after the exchange completed without an exception, so its offsets never pass a change
 * that did not reach the route's destination.
 */
final class DebeziumBatchConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumBatchConsumer.class);

    private final PostgresConnectorEmbeddedDebeziumConfiguration configuration;
    private ExecutorService executor;
    private DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;

    DebeziumBatchConsumer(DebeziumBatchEndpoint endpoint, Processor processor, PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
        super(endpoint, processor);
        this.configuration = configuration;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        engine = DebeziumEngine.create(Connect.class)
                .using(configuration.createDebeziumConfiguration().asProperties())
                .notifying(this::handleBatch)
                .using(this::engineStopped)
                .build();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "debezium");
        executor.submit(engine);
    }

    @Override
    protected void doStop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
        }
        super.doStop();
    }

    private void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
                             DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        List<SourceRecord> records = new ArrayList<>(events.size());
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            records.add(event.value());
        }
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(records);
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        releaseExchange(exchange, false);
        if (failure != null) {
            // Throwing stops the engine without committing this batch: it is read again on the next start.
            throw new ChangesNotDeliveredException(records.size(), failure);
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    private void engineStopped(boolean success, String message, Throwable error) {
        if (success || !isRunAllowed()) {
            LOG.info("Debezium engine stopped: {}", message);
        } else {
            LOG.error("Debezium engine stopped with an error, no change is captured until the route restarts: {}", message, error);
        }
    }

    static final class ChangesNotDeliveredException extends RuntimeException {
        ChangesNotDeliveredException(int count, Exception cause) {
            super(count + " change events were not delivered; their offsets stay uncommitted", cause);
        }
    }
}
