package pipeline.cdc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.StopEngineException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Backoff;
import pipeline.config.RootCause;

/**
 * Runs the Debezium engine and sends each batch of change records through the route as one
 * exchange whose body (and property {@link #RECORDS}) is a {@code List<SourceRecord>}. The engine learns a record was processed
 * only after the exchange completed without an exception, so its offsets never pass a change
 * that did not reach the route's destination.
 */
final class DebeziumBatchConsumer extends DefaultConsumer {

    /** Exchange property holding the batch's {@code List<SourceRecord>}, which stays as read while the body changes. */
    public static final String RECORDS = "debeziumRecords";

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumBatchConsumer.class);

    /** A few of Debezium's polls (500 ms each): an engine streaming changes meets the stop request at its next batch. */
    private static final long GRACEFUL_STOP_MS = 2_000;

    private final PostgresConnectorEmbeddedDebeziumConfiguration configuration;
    private ScheduledExecutorService executor;
    private volatile DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
    private volatile CountDownLatch engineEnded = new CountDownLatch(0);
    private volatile boolean stopRequested;
    private Duration restartDelay = Backoff.CHANGES.first();
    private volatile String failure;

    DebeziumBatchConsumer(DebeziumBatchEndpoint endpoint, Processor processor,
            PostgresConnectorEmbeddedDebeziumConfiguration configuration) {
        super(endpoint, processor);
        this.configuration = configuration;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        executor = getEndpoint().getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "debezium");
        executor.submit(this::runEngine);
        component().started(this);
    }

    /** The last engine failure, until a batch (heartbeats make one at least every 30 s) goes through again; null when fine. */
    String failure() {
        return failure;
    }

    private DebeziumBatchComponent component() {
        return (DebeziumBatchComponent) getEndpoint().getComponent();
    }

    private void runEngine() {
        if (!isRunAllowed()) {
            return;
        }
        engineEnded = new CountDownLatch(1);
        try {
            String problem = component().startCheck().problem();
            if (problem != null) {
                engineNotStarted(problem, null);
                return;
            }
        } catch (Exception e) {
            engineNotStarted("the source database or Kafka could not be checked", e);
            return;
        }
        engine = DebeziumEngine.create(Connect.class)
                .using(configuration.createDebeziumConfiguration().asProperties())
                .notifying(this::handleBatch)
                .using(this::engineStopped)
                .build();
        engine.run();
    }

    /**
     * Asks the engine to stop at its next batch, from its own polling thread: closing it from another
     * thread while it hands over a batch makes Debezium's engine fail with a RejectedExecutionException.
     * An idle engine, which hands over no batch, is closed after a short wait.
     */
    @Override
    protected void doStop() throws Exception {
        component().stopped(this);
        stopRequested = true;
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> running = engine;
        if (running != null && !engineEnded.await(GRACEFUL_STOP_MS, TimeUnit.MILLISECONDS)) {
            try {
                running.close();
            } catch (IllegalStateException alreadyStopping) {
                LOG.debug("Debezium engine already stopping: {}", alreadyStopping.getMessage());
            }
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
        }
        super.doStop();
    }

    private void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        if (stopRequested) {
            // this batch is not marked processed: it is read again at the next start
            throw new StopEngineException("the pipeline is stopping");
        }
        List<SourceRecord> records = new ArrayList<>(events.size());
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            records.add(event.value());
        }
        Exchange exchange = createExchange(false);
        exchange.setProperty(RECORDS, records);
        exchange.getIn().setBody(records);
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        Exception failure = exchange.getException();
        releaseExchange(exchange, false);
        if (failure == null) {
            restartDelay = Backoff.CHANGES.first();
            this.failure = null;
        } else if (stopRequested || getEndpoint().getCamelContext().isStopping()) {
            throw new StopEngineException("the pipeline is stopping before Kafka acknowledged the batch");
        } else {
            // Throwing stops the engine without committing this batch: it is read again on the next start.
            throw new ChangesNotDeliveredException(records.size(), failure);
        }
        for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    private void engineStopped(boolean success, String message, Throwable error) {
        onEngineEnd("stopped", success, message, error);
    }

    /** The check before a start found a problem, so no engine ran; the log says so rather than that one stopped. */
    private void engineNotStarted(String problem, Throwable error) {
        onEngineEnd("not started", false, problem, error);
    }

    /** An engine that failed or could not start (source or Kafka unreachable, a batch not delivered) is started again after a growing pause. */
    private void onEngineEnd(String outcome, boolean success, String message, Throwable error) {
        engineEnded.countDown();
        if (!isRunAllowed() || executor.isShutdown()) {
            LOG.info("Debezium engine {}: {}", outcome, message);
            return;
        }
        if (success) {
            restartDelay = Backoff.CHANGES.first();
        } else {
            failure = error == null ? message : message + ": " + RootCause.describe(error);
        }
        LOG.warn("Debezium engine {} ({}{}); next start in {} ms", outcome, message,
                error == null ? "" : ": " + error.getMessage(), restartDelay.toMillis());
        executor.schedule(this::runEngine, restartDelay.toMillis(), TimeUnit.MILLISECONDS);
        restartDelay = Backoff.CHANGES.after(restartDelay);
    }

    static final class ChangesNotDeliveredException extends RuntimeException {
        ChangesNotDeliveredException(int count, Exception cause) {
            super(count + " change events were not delivered; their offsets stay uncommitted", cause);
        }
    }
}
