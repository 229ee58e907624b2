package routes;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.component.debezium.postgres.configuration.PostgresConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.cdc.ChangeBatchToKafka;
import pipeline.cdc.DebeziumBatchComponent;
import pipeline.cdc.TopicsBeforeRoutes;
import pipeline.cluster.LeadershipHealthCheck;
import pipeline.cluster.PostgresLockClusterService;
import pipeline.compaction.LakeCompaction;
import pipeline.config.IdleHeap;
import pipeline.config.KafkaReachability;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.config.S3Clients;
import pipeline.config.SourceDatabase;
import pipeline.config.UnknownSettings;
import pipeline.console.HawtioConsole;
import pipeline.console.StatisticsOperations;
import pipeline.lake.DeadLetters;
import pipeline.lake.KafkaLakeComponent;
import pipeline.lake.LakeBatchWriter;
import pipeline.lake.LakeLayout;
import pipeline.observe.DependencyHealthCheck;
import pipeline.observe.LagMonitor;
import pipeline.observe.ManagementPort;
import pipeline.observe.PipelineMetrics;
import pipeline.stats.LakeCatchUp;
import pipeline.stats.LeaderCatchUp;
import pipeline.stats.MonthlyStatisticsService;
import pipeline.stats.StatisticsJob;
import software.amazon.awssdk.services.s3.S3Client;

/** Builds the pipeline's collaborators from its checked settings and binds them for the routes. */
public class PipelineConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfiguration.class);

    /** Scheme of the batch-aware Debezium Postgres consumer used by route cdc-to-kafka. */
    public static final String DEBEZIUM_SCHEME = "debezium-batch";
    /** Scheme of the change topics' consumer that hands route kafka-to-s3 lake batches. */
    public static final String KAFKA_LAKE_SCHEME = "kafka-lake";
    /** The cluster namespace whose leader runs cdc-to-kafka and the scheduled statistics. */
    public static final String LEADER = "trip-pipeline";
    /** The route policy that starts a route when this instance becomes the leader and stops it when it no longer is. */
    public static final String LEADER_ONLY = "leaderOnly";
    // a batch may wait for S3 through retries; leaving the group for that would replay it elsewhere
    private static final int LAKE_WRITER_MAX_POLL_INTERVAL_MS = 30 * 60 * 1000;
    // a lake writer that died (SIGKILL, a lost machine) hands its partitions on after this, not Kafka's default 45 s
    private static final int LAKE_WRITER_SESSION_TIMEOUT_MS = 10_000;

    // each heartbeat goes through the route and Debezium's offset store, a dozen wake-ups of the idle process;
    // the source server keeps at most this long's WAL for an idle captured table
    private static final int HEARTBEAT_INTERVAL_MS = 30_000;
    // each batch waits for Kafka's acknowledgements before the next is handed over, while Debezium
    // fills its queue: a few batches queued keep both busy without holding tens of thousands of records
    private static final int DEBEZIUM_BATCH_SIZE = 4_096;
    // Debezium's own default; Camel's configuration would send 0, and the driver would read the whole table into memory
    private static final int SNAPSHOT_FETCH_SIZE = 10_240;
    // after a crash Debezium re-sends what it sent since its last recorded offset: at catch-up speed
    // (thousands of events a second) a 5 s interval left over 10,000 copies in one crash test run
    private static final long OFFSET_FLUSH_INTERVAL_MS = 1_000;
    // while nothing arrives Debezium reads the replication stream five times, then sleeps this long, and a batch
    // waits this long to fill: Debezium's 500 ms woke the idle process 14 times a second. A change after a quiet
    // spell reaches Kafka within about two intervals (the lake counts a batch's age from the commit, so its
    // files are not later for it); under load batches fill before the interval ends.
    private static final long POLL_INTERVAL_MS = 1_000;
    private static final Duration TOPIC_CREATION_TIMEOUT = Duration.ofSeconds(10);
    private static final int KEY_LOOKUP_TIMEOUT_SECONDS = 10;
    private static final int SOURCE_CHECK_TIMEOUT_SECONDS = 10;
    // Debezium's offset store asks Kafka for its cluster id at each engine start, and closes that admin client
    // only once the call is over: with Kafka away, a minute (Kafka's default) in which a stop waited too.
    // Shorter than the 10 s Camel gives the engine's thread to end before interrupting it.
    private static final int ENGINE_KAFKA_CALL_TIMEOUT_MS = 8_000;

    @BindToRegistry
    public PipelineSettings settings(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        return new PipelineSettings(key -> properties.resolveProperty(key).orElse(null));
    }

    @BindToRegistry(DEBEZIUM_SCHEME)
    public DebeziumBatchComponent debezium(PipelineSettings settings) {
        PostgresConnectorEmbeddedDebeziumConfiguration debezium = new PostgresConnectorEmbeddedDebeziumConfiguration();
        debezium.setDatabaseHostname(settings.pg.host);
        debezium.setDatabasePort(settings.pg.port);
        debezium.setDatabaseDbname(settings.pg.database);
        debezium.setDatabaseUser(settings.pg.user);
        debezium.setDatabasePassword(settings.pg.password);
        debezium.setDatabaseSslmode(settings.pg.sslMode);
        if (!settings.pg.sslRootCert.isEmpty()) {
            debezium.setDatabaseSslrootcert(settings.pg.sslRootCert);
        }
        debezium.setTopicPrefix(settings.kafka.topicPrefix);
        debezium.setTableIncludeList(String.join(",", settings.pg.tables));
        debezium.setPluginName("pgoutput");
        debezium.setSlotName(settings.pg.slot);
        debezium.setPublicationName(settings.pg.publication);
        debezium.setPublicationAutocreateMode("filtered");
        // a partitioned table's changes are logged under its partitions, which the capture list does not
        // name: published as the table's own, none is filtered out
        debezium.setPublishViaPartitionRoot(true);
        debezium.setSnapshotMode("initial");
        debezium.setDecimalHandlingMode("precise");
        // Kafka Connect's default, which Camel turns off: compacted change topics then forget deleted keys
        debezium.setTombstonesOnDelete(true);
        debezium.setMaxBatchSize(DEBEZIUM_BATCH_SIZE);
        debezium.setMaxQueueSize(4 * DEBEZIUM_BATCH_SIZE);
        debezium.setSnapshotFetchSize(SNAPSHOT_FETCH_SIZE);
        debezium.setPollIntervalMs(POLL_INTERVAL_MS);
        // without heartbeats an idle captured table lets the slot pin WAL on the source server
        debezium.setHeartbeatIntervalMs(HEARTBEAT_INTERVAL_MS);
        // offsets live in Kafka, like Kafka Connect's, so a lost disk does not mean a new snapshot
        debezium.setOffsetStorage("org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        debezium.setOffsetStorageTopic(settings.kafka.topicPrefix + ".debezium-offsets");
        debezium.setOffsetStoragePartitions(1);
        debezium.setOffsetStorageReplicationFactor(-1);
        debezium.setOffsetFlushIntervalMs(OFFSET_FLUSH_INTERVAL_MS);
        // Debezium's offset store is a Kafka client of its own, whose consumer waits at the end of the offsets topic
        Map<String, Object> engine = settings.kafka.clientProperties(Map.of(
                "fetch.max.wait.ms", String.valueOf(PipelineSettings.Kafka.IDLE_FETCH_WAIT_MS),
                "default.api.timeout.ms", String.valueOf(ENGINE_KAFKA_CALL_TIMEOUT_MS),
                "request.timeout.ms", String.valueOf(ENGINE_KAFKA_CALL_TIMEOUT_MS)));
        // Camel's own heartbeat option still has the name Debezium 1.x read
        engine.put("topic.heartbeat.prefix", PipelineSettings.Kafka.HEARTBEAT_TOPIC_PREFIX);
        // an update that leaves a large (TOASTed) value alone carries only a placeholder for it in the WAL
        // under the default replica identity: the value is read back from the table instead
        engine.put("post.processors", "reselector");
        engine.put("post.processors.reselector.type", "io.debezium.processors.reselect.ReselectColumnsPostProcessor");
        engine.put("post.processors.reselector.reselect.unavailable.values", "true");
        // a NULL is the row's value, not a missing one
        engine.put("post.processors.reselector.reselect.null.values", "false");
        // a row deleted before its update is read back stays missing: failing would stop the capture for good
        engine.put("post.processors.reselector.reselect.error.handling.mode", "warn");
        debezium.setAdditionalProperties(engine);
        return new DebeziumBatchComponent(debezium, () -> {
            // without Kafka Debezium's engine fails in its offset store's start, and reports only the
            // NullPointerException of its clean-up after that
            String kafka = KafkaReachability.problem(settings.kafka, Duration.ofMillis(ENGINE_KAFKA_CALL_TIMEOUT_MS));
            return kafka != null
                    ? kafka + " (Debezium's offsets are kept there)"
                    : SourceDatabase.tableWithoutIdentity(settings, SOURCE_CHECK_TIMEOUT_SECONDS);
        });
    }

    /** Camel's Kafka producers (change topics, dead letters) reach the brokers as every other Kafka client of the pipeline. */
    @BindToRegistry("kafka")
    public KafkaComponent kafka(PipelineSettings settings) {
        Map<String, Object> client = settings.kafka.clientProperties();
        KafkaComponent kafka = new KafkaComponent();
        // Camel takes the brokers as an option of its own and refuses to start a client without it
        kafka.getConfiguration().setBrokers((String) client.remove("bootstrap.servers"));
        kafka.getConfiguration().setAdditionalProperties(client);
        return kafka;
    }

    @BindToRegistry
    public ChangeBatchToKafka changeBatchToKafka() {
        return new ChangeBatchToKafka();
    }

    @BindToRegistry
    public Processor rebuildKafkaMessages(ChangeBatchToKafka changeBatchToKafka) {
        return changeBatchToKafka::beforeRedelivery;
    }

    @BindToRegistry(KAFKA_LAKE_SCHEME)
    public KafkaLakeComponent kafkaLake(PipelineSettings settings) {
        Map<String, Object> consumer = settings.kafka.clientProperties(Map.of(
                "group.id", settings.kafka.groupId,
                "enable.auto.commit", false,
                "auto.offset.reset", "earliest",
                "max.poll.interval.ms", LAKE_WRITER_MAX_POLL_INTERVAL_MS,
                "session.timeout.ms", LAKE_WRITER_SESSION_TIMEOUT_MS,
                // an idle consumer group woke the process five times a second: a fetch waits longer (data
                // still returns it at once), the heartbeat thread looks whether one is due every second
                "heartbeat.interval.ms", LAKE_WRITER_SESSION_TIMEOUT_MS / 3,
                "fetch.max.wait.ms", PipelineSettings.Kafka.IDLE_FETCH_WAIT_MS,
                "retry.backoff.ms", 1_000));
        LakeLayout layout = new LakeLayout(settings.timezone, settings.stats.table, settings.stats.startColumn);
        return new KafkaLakeComponent(consumer, () -> new LakeBatchWriter(layout, Clock.systemUTC()), settings.lake.flushMaxRecords,
                settings.lake.flushInterval);
    }

    @BindToRegistry
    public DeadLetters deadLetters() {
        return new DeadLetters();
    }

    @BindToRegistry
    public PipelineMetrics pipelineMetrics(PipelineSettings settings) {
        return new PipelineMetrics(settings.kafka.topicPrefix, settings.s3.bucket, Clock.systemUTC());
    }

    /** The management server's Vert.x, sized for health and metrics scrapes rather than for a web application. */
    @BindToRegistry
    public VertxOptions managementServerVertx() {
        return new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(4)
                // Vert.x looks for a stuck event loop every second by default, waking the idle process for it
                .setBlockedThreadCheckInterval(10_000);
    }

    /** Elects the leader among the instances sharing this pipeline's replication slot. */
    @BindToRegistry
    public PostgresLockClusterService clusterService(PipelineSettings settings) {
        return PostgresLockClusterService.of(settings);
    }

    @BindToRegistry
    public HealthCheck postgresHealth(PipelineSettings settings) {
        return DependencyHealthCheck.postgres(settings);
    }

    @BindToRegistry
    public HealthCheck kafkaHealth(PipelineSettings settings) {
        return DependencyHealthCheck.kafka(settings);
    }

    @BindToRegistry
    public HealthCheck s3Health(PipelineSettings settings, S3Client s3Client) {
        return DependencyHealthCheck.s3(settings, s3Client);
    }

    @BindToRegistry
    public S3Client s3Client(PipelineSettings settings) {
        return S3Clients.createInBackground(settings);
    }

    @BindToRegistry
    public MonthlyStatisticsService monthlyStatistics(PipelineSettings settings, S3Client s3Client, PipelineMetrics pipelineMetrics) {
        StatisticsJob job = StatisticsJob.of(s3Client, settings).withListener(pipelineMetrics);
        return new MonthlyStatisticsService(job, s3Client, settings.s3.bucket, settings.stats.since, settings.timezone, Clock.systemUTC(),
                () -> LakeCatchUp.await(settings, settings.stats.table), settings.stats.restateMonths);
    }

    /** The raw lake's compaction, run by route compact-lake while it is started (on the leader). */
    @BindToRegistry
    public LakeCompaction lakeCompaction(PipelineSettings settings, S3Client s3Client, PipelineMetrics pipelineMetrics) {
        // an eighth of the heap for the rows being sorted: the lake writer and the statistics share the rest
        long memoryBudget = Runtime.getRuntime().maxMemory() / 8;
        return new LakeCompaction(s3Client, settings.s3.bucket, settings.pg.tables,
                table -> SourceDatabase.primaryKey(settings, table, KEY_LOOKUP_TIMEOUT_SECONDS), settings.lake.compactAfter,
                settings.lake.compactTargetSize, settings.lake.compactGrace, memoryBudget, Clock.systemUTC()).withListener(pipelineMetrics);
    }

    /** The console is a window on the pipeline, not part of it: when it cannot start, the routes run on. */
    private static void startConsole(CamelContext context) {
        PipelineSettings settings = context.getRegistry().lookupByNameAndType("settings", PipelineSettings.class);
        if (settings.console.hawtioPassword.isEmpty()) {
            LOG.info("Hawtio console off: set pipeline.hawtio.user and pipeline.hawtio.password "
                    + "(PIPELINE_HAWTIO_USER, PIPELINE_HAWTIO_PASSWORD) to open it on {}:{}", settings.console.hawtioHost,
                    settings.console.hawtioPort);
            return;
        }
        HawtioConsole console = new HawtioConsole(settings);
        try {
            context.addService(console);
        } catch (Exception e) {
            LOG.warn("Hawtio console could not start at {}: {}", console.url(), RootCause.describe(e));
        }
    }

    /** What runs beside the routes: metrics, the console, the lag monitor, the statistics' operations and catch-up. */
    private static void startServices(CamelContext context, PipelineSettings settings, PostgresLockClusterService cluster)
            throws Exception {
        // the registry Camel's Prometheus service created, so one scrape shows the routes and the pipeline
        MeterRegistry metrics = context.getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        PipelineMetrics pipelineMetrics = context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class);
        pipelineMetrics.publishTo(metrics, () -> cluster.isLeader(LEADER));
        startConsole(context);
        context.addService(new LagMonitor(context, settings, metrics, pipelineMetrics::activity, IdleHeap::returnGrowth));
        MonthlyStatisticsService statistics = context.getRegistry().lookupByNameAndType("monthlyStatistics",
                MonthlyStatisticsService.class);
        context.addService(new StatisticsOperations(statistics));
        LeaderCatchUp catchUp = new LeaderCatchUp(context, statistics, settings.stats.retries);
        context.addService(catchUp);
        cluster.getView(LEADER).addEventListener(catchUp);
    }

    /**
     * Before the routes are built: the leader election, the leader-only route policy and the leadership
     * check, and the missing topics asked for; once the routes run: metrics, the console, the lag monitor
     * and the statistics' catch-up on each leadership gained.
     */
    @Override
    public void configure(CamelContext context) throws Exception {
        PipelineSettings settings = context.getRegistry().lookupByNameAndType("settings", PipelineSettings.class);
        ManagementPort.requireFree(settings.console.httpPort);
        UnknownSettings.documented().find(System.getenv(), System.getProperties()).forEach(LOG::warn);
        PostgresLockClusterService cluster = context.getRegistry().lookupByNameAndType("clusterService", PostgresLockClusterService.class);
        context.addService(cluster);
        // bound here, before the routes are built, rather than as beans whose order of creation Camel does not promise
        ClusteredRoutePolicy leaderOnly = ClusteredRoutePolicy.forNamespace(cluster, LEADER);
        leaderOnly.setCamelContext(context);
        context.getRegistry().bind(LEADER_ONLY, leaderOnly);
        context.getRegistry().bind("leadershipHealth", new LeadershipHealthCheck(cluster, LEADER));
        DebeziumBatchComponent debezium = context.getRegistry().lookupByNameAndType(DEBEZIUM_SCHEME, DebeziumBatchComponent.class);
        context.getRegistry().bind("captureHealth", DependencyHealthCheck.capture(debezium, () -> cluster.electionProblem(LEADER)));
        List<String> topics = new ArrayList<>(settings.pg.tables.stream().map(settings.kafka::changeTopic).toList());
        topics.add(settings.kafka.deadLetterTopic());
        // a broker that creates no topic at first use would leave every batch with a heartbeat unsendable
        topics.add(settings.kafka.heartbeatTopic());
        context.addStartupListener(new TopicsBeforeRoutes(settings.kafka.clientProperties(), topics, settings.kafka.partitions,
                TOPIC_CREATION_TIMEOUT));
        AtomicBoolean once = new AtomicBoolean();
        context.addStartupListener((started, alreadyStarted) -> {
            // Camel calls start-up listeners again once the supervised routes have started
            if (once.compareAndSet(false, true)) {
                startServices(started, settings, cluster);
            }
        });
    }
}
