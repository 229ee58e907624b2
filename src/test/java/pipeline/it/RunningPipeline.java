package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import routes.App;

import static org.awaitility.Awaitility.await;

/**
 * The application's real Camel Main, routes and configuration, pointed at the shared servers with
 * names of its own (table, slot, publication, topics, consumer group, bucket) so tests do not meet.
 */
final class RunningPipeline implements AutoCloseable {

    final String table;
    final String slot;
    final String topicPrefix;
    final String bucket;
    /** Port of /observe/health and /observe/metrics. */
    final int httpPort;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> redeliveries = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> completed = new ConcurrentHashMap<>();
    private Main main;

    RunningPipeline(String name) {
        this.table = "public." + name;
        this.slot = name + "_slot";
        this.topicPrefix = "it-" + name.replace('_', '-');
        this.bucket = "lake-" + name.replace('_', '-');
        properties.putAll(SharedServers.get().pipelineProperties());
        properties.put("pipeline.pg.tables", table);
        properties.put("pipeline.pg.slot", slot);
        properties.put("pipeline.pg.publication", name + "_pub");
        properties.put("pipeline.kafka.topic-prefix", topicPrefix);
        properties.put("pipeline.kafka.group-id", name + "-lake");
        properties.put("pipeline.s3.bucket", bucket);
        properties.put("pipeline.lake.flush-interval", "1s");
        properties.put("pipeline.stats.table", table);
        properties.put("pipeline.stats.lake-wait", "5s");
        try {
            httpPort = pipeline.dev.DevServers.freePort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        properties.put("pipeline.http.port", String.valueOf(httpPort));
    }

    /** GET on the management port, as a monitoring system scrapes it. */
    java.net.http.HttpResponse<String> get(String path) throws java.io.IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + httpPort + path)).timeout(Duration.ofSeconds(20)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    RunningPipeline with(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Starts {@code java ... routes.App stats --month}, configured like this pipeline through environment variables. */
    Process statsCommand(String month) throws java.io.IOException {
        return process("stats", "--month", month);
    }

    /**
     * Starts {@code java ... routes.App} with these arguments as its own process, configured through
     * environment variables, and Camel's own options as system properties (Camel Main reads those).
     */
    Process process(String... arguments) throws java.io.IOException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(System.getProperty("java.home") + "/bin/java"));
        properties.forEach((key, value) -> {
            if (key.startsWith("camel.")) {
                command.add("-D" + key + "=" + value);
            }
        });
        command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), "routes.App"));
        command.addAll(java.util.List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        properties.forEach((key, value) -> {
            if (!key.startsWith("camel.")) {
                builder.environment().put(pipeline.config.PipelineSettings.environmentVariable(key), value);
            }
        });
        return builder.redirectErrorStream(true).start();
    }

    String changeTopic() {
        return topicPrefix + "." + table;
    }

    /** Starts the routes and waits until Debezium streams from its replication slot. */
    RunningPipeline start() throws Exception {
        startRoutes();
        await().atMost(Duration.ofSeconds(60)).until(this::slotActive);
        return this;
    }

    /** Starts the routes without waiting for the source database. */
    RunningPipeline startRoutes() {
        main = App.pipelineMain();
        properties.forEach(main::addOverrideProperty);
        main.start();
        main.getCamelContext().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeRedeliveryEvent redelivery) {
                    redeliveries.computeIfAbsent(redelivery.getExchange().getFromRouteId(), id -> new AtomicInteger()).incrementAndGet();
                } else if (event instanceof CamelEvent.ExchangeCompletedEvent done && done.getExchange().getException() == null) {
                    completed.computeIfAbsent(done.getExchange().getFromRouteId(), id -> new AtomicInteger()).incrementAndGet();
                }
            }
        });
        return this;
    }

    /** Exchanges the route has completed since the pipeline started. */
    int exchangesCompleted(String routeId) {
        return completed.getOrDefault(routeId, new AtomicInteger()).get();
    }

    /** How many times the route has retried a failed exchange since the pipeline started. */
    int redeliveries(String routeId) {
        return redeliveries.getOrDefault(routeId, new AtomicInteger()).get();
    }

    void stop() {
        if (main != null) {
            main.stop();
            main = null;
        }
    }

    /** Waits until Debezium, in the app started as its own process, streams from the slot: its snapshot, if any, is over. */
    void awaitStreaming() {
        await().alias("streaming from the slot").atMost(Duration.ofSeconds(120)).ignoreExceptions().until(this::slotActive);
    }

    boolean slotActive() throws Exception {
        return slotActive(SharedServers::postgres);
    }

    /** Whether Debezium streams from this pipeline's slot on {@code database}: the snapshot, if any, is over. */
    boolean slotActive(Database database) throws Exception {
        try (Connection connection = database.connect();
                PreparedStatement query = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, slot);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    @Override
    /** Stops the pipeline and drops its replication slot, which would otherwise hold WAL for the rest of the test run. */
    public void close() {
        stop();
        try (Connection connection = SharedServers.postgres();
                PreparedStatement drop = connection.prepareStatement(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ? AND NOT active")) {
            drop.setString(1, slot);
            drop.execute();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("could not drop replication slot " + slot, e);
        }
    }
}
