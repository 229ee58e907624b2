package routes;

import java.nio.file.Path;
import java.util.List;

import ch.qos.logback.classic.Level;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;
import pipeline.config.StartupFailure;
import pipeline.dev.DevMode;
import pipeline.snapshot.SnapshotCommand;
import pipeline.stats.StatsCommand;

/** Runs the pipeline's routes ({@code --dev}: on embedded servers with a trip simulator), {@code stats --month YYYY-MM} or {@code snapshot --table T} once, or {@code --help}. */
public final class App {

    private static final String USAGE = """
            usage: java -jar trip-pipeline.jar                        run the pipeline until stopped (SIGTERM, Ctrl-C)
                   java -jar trip-pipeline.jar --dev                  the same on embedded Postgres, Kafka and S3 with a simulated fleet
                   java -jar trip-pipeline.jar stats --month YYYY-MM  compute one month's vehicle statistics from the lake, then exit
                   java -jar trip-pipeline.jar snapshot --table schema.table [--as-of 2026-11-30T12:00:00Z]
                                                                      write the table as it was then (default: now) from the lake
                   java -jar trip-pipeline.jar --help                 this text

            Settings come from application.properties, overridden by environment variables (pipeline.pg.host
            -> PIPELINE_PG_HOST) or -Dkey=value before -jar. The ones to set first:
              pipeline.pg.host, port, database, user, password   the source database (wal_level=logical)
              pipeline.pg.tables                                 the schema.table list to capture
              pipeline.kafka.brokers                             Kafka's bootstrap servers
              pipeline.s3.endpoint, bucket, access-key, secret-key   the lake (no endpoint: AWS)
              pipeline.http.port                                 /observe/health and /observe/metrics (8080)
              pipeline.hawtio.user, password                     the Hawtio console on port 8090 (off without a password)
            Every key with its default, the lake's layout and the statistics: README.md.
            """;

    private App() {
    }

    /**
     * Camel Main with the pipeline's routes and configuration named, not found by scanning: a scan
     * of the package reads the whole fat jar (150 MB), which took 5 to 9 s of every start.
     */
    public static Main pipelineMain() {
        Main main = new Main();
        main.configure().addConfiguration(PipelineConfiguration.class);
        main.configure().addRoutesBuilder(RetryPolicy.class, MonthlyStatsRoute.class, RestateStatsRoute.class, CompactLakeRoute.class,
                KafkaToS3Route.class, CdcToKafkaRoute.class);
        return main;
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = List.of(args);
        String command = arguments.isEmpty() ? "" : arguments.get(0);
        switch (command) {
            case "stats" -> {
                logOnlyErrors();
                System.exit(StatsCommand.run(arguments.subList(1, arguments.size())));
            }
            case "snapshot" -> {
                logOnlyErrors();
                System.exit(SnapshotCommand.run(arguments.subList(1, arguments.size())));
            }
            case "--help", "-h", "help" -> {
                System.out.print(USAGE);
                System.exit(0);
            }
            case "", "--dev" -> {
                if (arguments.size() > 1) {
                    System.exit(refuse(arguments.get(1)));
                }
                System.exit(runPipeline(command.equals("--dev")));
            }
            default -> System.exit(refuse(command));
        }
    }

    /**
     * A command's stdout is its one summary line, and a failure one line on stderr: the libraries' warnings
     * (a Kafka client retrying its connection every second) would bury them. Read by logback.xml, so set
     * before the first logger exists.
     */
    private static void logOnlyErrors() {
        System.setProperty("trip-pipeline.log.threshold", "ERROR");
        System.setProperty("trip-pipeline.log.target", "System.err");
    }

    /** A typo must not look like a pipeline that started: one line naming it, exit status 2. */
    private static int refuse(String argument) {
        System.err.println("trip-pipeline: unknown command or option '" + argument + "' (java -jar trip-pipeline.jar --help lists them)");
        return 2;
    }

    private static int runPipeline(boolean dev) {
        Main main = pipelineMain();
        DevMode devMode = null;
        try {
            if (dev) {
                devMode = DevMode.start(Path.of("trip-pipeline-dev"));
                devMode.pipelineProperties().forEach(main::addOverrideProperty);
                main.addMainListener(devMode);
            }
            return main.run(new String[0]);
        } catch (Exception e) {
            System.err.println("trip-pipeline: " + StartupFailure.describe(e));
            // the JVM exits because start-up failed: Camel's shutdown hook would log that a SIGTERM triggered it
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(DefaultMainShutdownStrategy.class)).setLevel(Level.OFF);
            return StartupFailure.isConfiguration(e) ? 2 : 1;
        } finally {
            if (devMode != null) {
                devMode.stopServers();
            }
        }
    }
}
