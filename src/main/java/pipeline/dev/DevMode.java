package pipeline.dev;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;

/**
 * {@code --dev}: starts embedded Postgres, Kafka and S3 in a fresh working directory before the
 * routes, runs the trip simulator while they run, and stops everything after them.
 */
public final class DevMode extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(DevMode.class);
    private static final int VEHICLES = 25;
    private static final String CONSOLE_USER = "admin";
    private static final String LOCK_FILE = "dev.lock";
    /** How long a stopping JVM waits for Camel (camel.main.shutdown-timeout, 30 s) and then the servers to stop. */
    private static final long STOP_WAIT_SECONDS = 60;

    private final Path directory;
    private final DevServers servers;
    /** Held while this run's servers use the directory; the OS releases it if the process dies. */
    private final FileChannel lockFile;
    private TripSimulator simulator;
    private final String consolePassword = randomPassword();

    private final AtomicBoolean serversStopping = new AtomicBoolean();
    private final CountDownLatch serversStopped = new CountDownLatch(1);

    private DevMode(Path directory, DevServers servers, FileChannel lockFile) {
        this.directory = directory;
        this.servers = servers;
        this.lockFile = lockFile;
        // On Ctrl-C or SIGTERM the JVM halts as soon as its shutdown hooks end, Camel's included, while the
        // main thread is still stopping the servers after Camel: Postgres, a process of its own, was left
        // running. This hook keeps the JVM up until they stopped.
        Runtime.getRuntime().addShutdownHook(new Thread(this::awaitServersStopped, "dev-servers-stop"));
    }

    /**
     * Starts the servers in {@code directory}, emptied first so each run starts from a new fleet. A second
     * {@code --dev} started in the same place is refused: emptying the directory would pull the data of
     * the running one's servers from under them.
     */
    public static DevMode start(Path directory) throws Exception {
        Files.createDirectories(directory);
        FileChannel lockFile = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        DevServers servers = null;
        try {
            if (lockFile.tryLock() == null) {
                throw new IllegalStateException("another --dev runs in " + directory.toAbsolutePath()
                        + ": stop it, or start this one from another directory");
            }
            emptyAllBut(directory, directory.resolve(LOCK_FILE));
            servers = DevServers.start(directory, false);
            TripSimulator.createTable(servers.postgres.jdbcUrl("postgres"));
            return new DevMode(directory, servers, lockFile);
        } catch (Exception e) {
            try (lockFile) {
                if (servers != null) {
                    servers.close();
                }
            } catch (Exception notStopped) {
                e.addSuppressed(notStopped);
            }
            throw e;
        }
    }

    private static String randomPassword() {
        byte[] random = new byte[6];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.HexFormat.of().formatHex(random);
    }

    /** The servers' settings, plus console credentials made up for this run (printed in the banner). */
    public Map<String, String> pipelineProperties() {
        Map<String, String> properties = new java.util.LinkedHashMap<>(servers.pipelineProperties());
        properties.put("pipeline.hawtio.user", CONSOLE_USER);
        properties.put("pipeline.hawtio.password", consolePassword);
        return properties;
    }

    @Override
    public void afterStart(BaseMainSupport main) {
        try {
            simulator = new TripSimulator(servers.postgres.jdbcUrl("postgres"), VEHICLES);
            simulator.start();
        } catch (Exception e) {
            throw new IllegalStateException("trip simulator could not start: " + e.getMessage(), e);
        }
        String bucket = main.getCamelContext().resolvePropertyPlaceholders("{{pipeline.s3.bucket}}");
        String prefix = main.getCamelContext().resolvePropertyPlaceholders("{{pipeline.kafka.topic-prefix}}");
        Path lake = servers.s3Dir.resolve(bucket).toAbsolutePath();
        LOG.info("""

                ---------------------------------------------------------------------------
                trip-pipeline --dev is running: {} simulated vehicles write public.trip
                  Postgres  {}  (user postgres, no password)
                  Kafka     {}  topics {}.public.trip, dead letters {}.dlq
                  S3        {}  bucket {}  (access key {})
                  Lake      s3://{}/raw/public.trip/  = files under {}
                  Console   http://localhost:{}/hawtio  (user {}, password {})
                  Health    http://localhost:{}/observe/health   metrics /observe/metrics
                Query the lake with DuckDB (files appear after pipeline.lake.flush-interval):
                  SELECT * FROM read_parquet('{}/raw/public.trip/**/*.parquet', hive_partitioning=true, union_by_name=true);
                Run the commands on these servers from another shell:
                  export {}
                  java -jar target/trip-pipeline.jar stats --month {}
                  java -jar target/trip-pipeline.jar snapshot --table public.trip
                Stop with Ctrl-C.
                ---------------------------------------------------------------------------""",
                VEHICLES, servers.postgres.jdbcUrl("postgres"), servers.kafka.bootstrapServers(), prefix, prefix,
                servers.s3.endpoint(), bucket, DevServers.S3_ACCESS_KEY, bucket, lake,
                main.getCamelContext().resolvePropertyPlaceholders("{{pipeline.hawtio.port}}"), CONSOLE_USER, consolePassword,
                main.getCamelContext().resolvePropertyPlaceholders("{{pipeline.http.port}}"), lake, commandEnvironment(),
                YearMonth.now(ZoneId.of(main.getCamelContext().resolvePropertyPlaceholders("{{pipeline.timezone}}"))));
    }

    /** The dev servers' settings as the variables a command reads (the S3 key is the dev server's own, made for it). */
    private String commandEnvironment() {
        return servers.pipelineProperties().entrySet().stream().filter(setting -> !setting.getValue().isEmpty())
                .map(setting -> PipelineSettings.environmentVariable(setting.getKey()) + "=" + setting.getValue())
                .collect(Collectors.joining(" "));
    }

    @Override
    public void beforeStop(BaseMainSupport main) {
        try {
            if (simulator != null) {
                simulator.close();
            }
        } catch (Exception e) {
            LOG.warn("Trip simulator did not stop cleanly: {}", e.getMessage());
        }
    }

    @Override
    public void afterStop(BaseMainSupport main) {
        stopServers();
    }

    /** Stops the servers once: after Camel stopped, or when Camel failed to start and never stops. */
    public void stopServers() {
        if (!serversStopping.compareAndSet(false, true)) {
            return;
        }
        // Kafka clients that outlive the routes (Debezium's shared admin client, the broker's own) warn about
        // every connection the stopping broker refuses: expected here, and no news to whoever stopped it
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient"))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        try {
            servers.close();
            LOG.info("Dev servers stopped; their data stays in {} until the next --dev start", directory.toAbsolutePath());
        } catch (Exception e) {
            LOG.warn("Dev servers did not stop cleanly: {}", e.getMessage());
        } finally {
            try {
                lockFile.close();
            } catch (IOException e) {
                LOG.debug("Lock of {} not released: {}", directory, e.getMessage());
            }
            serversStopped.countDown();
        }
    }

    private void awaitServersStopped() {
        try {
            if (!serversStopped.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                System.err.println("trip-pipeline: the dev servers did not stop within " + STOP_WAIT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void emptyAllBut(Path directory, Path kept) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!path.equals(directory) && !path.equals(kept)) {
                    Files.delete(path);
                }
            }
        }
    }
}
