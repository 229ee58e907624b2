package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;
import pipeline.dev.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A pipeline started before its source database, Kafka or S3 is reachable keeps retrying and catches up by itself. */
class UnreachableAtStartTest {

    @Test
    void aPipelineStartedBeforeItsDatabaseCapturesTheTableOnceTheDatabaseIsUp() throws Exception {
        int port = DevServers.freePort();
        RunningPipeline pipeline = new RunningPipeline("trip_late").with("pipeline.pg.port", String.valueOf(port));
        try (pipeline; EmbeddedPostgres late = startLater(pipeline, port)) {
            String url = late.jdbcUrl("postgres");
            execute(url,
                    "CREATE TABLE public.trip_late (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL)");
            execute(url, "INSERT INTO public.trip_late VALUES (1, 'v-1', '2024-09-01 10:00+00'), (2, 'v-2', '2024-09-02 10:00+00')");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(lake.query("SELECT trip_id, vehicle_id FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .containsExactly(List.of("1", "v-1"), List.of("2", "v-2")));

            execute(url, "UPDATE public.trip_late SET vehicle_id = 'v-9' WHERE trip_id = 2");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(lake.query("SELECT trip_id, vehicle_id FROM " + Lake.LATEST + " ORDER BY trip_id"))
                            .containsExactly(List.of("1", "v-1"), List.of("2", "v-9")));
        }
    }

    @Test
    void aPipelineStartedWhileS3IsUnreachableStoresTheChangesAndCatchesUpTheStatisticsOnceS3IsBack() throws Exception {
        String name = "trip_s3_late";
        CdcToLakeTest.createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket); pipeline) {
            s3.cut();
            pipeline.with("pipeline.s3.endpoint", s3.endpoint()).with("pipeline.stats.retry-delay", "1s").start();
            CdcToLakeTest.execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES "
                    + "(1, 'v-1', '2024-09-01 10:00+00'), (2, 'v-2', '2024-09-02 10:00+00')");
            await().alias("uploads tried while S3 is away").atMost(Duration.ofSeconds(60))
                    .until(() -> pipeline.redeliveries("kafka-to-s3") > 0);
            assertThat(pipeline.get("/observe/health").body()).contains("\"name\":\"s3\",\"status\":\"DOWN\"");

            s3.restore();
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            CdcToLakeTest.awaitLakeEqualsTable(lake, name);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(pipeline.get("/observe/health").statusCode()).isEqualTo(200));
            YearMonth previous = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
            String statistics = String.format("stats/vehicle_monthly/year=%04d/month=%02d/_SUCCESS", previous.getYear(),
                    previous.getMonthValue());
            await().alias("the start-up catch-up of the statistics, retried").atMost(Duration.ofSeconds(60))
                    .until(() -> lake.objects(statistics).contains(statistics));
        }
    }

    @Test
    void aPipelineStartedBeforeKafkaCapturesTheTableOnceKafkaIsUp(@TempDir Path dir) throws Exception {
        String name = "trip_kafka_late";
        CdcToLakeTest.createTable(name);
        CdcToLakeTest.execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-09-01 10:00+00')");
        int port = DevServers.freePort();
        RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.kafka.brokers", "localhost:" + port);
        try (pipeline) {
            pipeline.startRoutes();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pipeline.get("/observe/health").body())
                    .contains("\"name\":\"kafka\",\"status\":\"DOWN\",\"message\":\"Kafka at localhost:" + port
                            + " did not answer within 3 s\""));

            try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, DevServers.freePort())) {
                CdcToLakeTest.execute(
                        "INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (2, 'v-2', '2024-09-02 10:00+00')");
                CdcToLakeTest.awaitLakeEqualsTable(new Lake(pipeline.bucket, pipeline.table), name);
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(pipeline.get("/observe/health").statusCode()).isEqualTo(200));
                pipeline.stop();
            }
        }
    }

    @Test
    void aPipelineStoppedWhileKafkaIsUnreachableStopsWithinSeconds() throws Exception {
        String name = "trip_kafka_never";
        CdcToLakeTest.createTable(name);
        int port = DevServers.freePort();
        RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.kafka.brokers", "localhost:" + port);
        Logger logger = (Logger) LoggerFactory.getLogger("pipeline.cdc.DebeziumBatchConsumer");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try (pipeline) {
            pipeline.startRoutes();
            // the capture names Kafka, not the NullPointerException Debezium's engine ends with when its offset store cannot start
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(pipeline.get("/observe/health").body())
                    .contains("\"name\":\"kafka\",\"status\":\"DOWN\"")
                    .contains("\"name\":\"cdc-to-kafka\",\"status\":\"DOWN\",\"message\":\"Kafka at localhost:" + port
                            + " did not answer within 8 s (Debezium's offsets are kept there)\""));
            // no engine ran, so none is said to have stopped
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(linesNaming(log, ":" + port + " ")).isNotEmpty()
                    .allMatch(line -> line.matches("Debezium engine not started \\(Kafka at localhost:" + port
                            + " did not answer within 8 s \\(Debezium's offsets are kept there\\)\\); next start in \\d+ ms")));
            // Debezium's engine may be waiting for Kafka in its offset store's start, which Kafka's defaults
            // let last a minute; Camel interrupts a route's thread only after 10 s, in vain
            long began = System.nanoTime();
            pipeline.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(15));
        } finally {
            logger.detachAppender(log);
        }
    }

    private static List<String> linesNaming(ListAppender<ILoggingEvent> log, String text) {
        // the appender adds lines under its own lock
        synchronized (log) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(line -> line.contains(text)).toList();
        }
    }

    /** Starts the routes first, then the database they point at. */
    private static EmbeddedPostgres startLater(RunningPipeline pipeline, int port) throws Exception {
        pipeline.startRoutes();
        return EmbeddedPostgres.start(Files.createTempDirectory("late-postgres"), port);
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", ""); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
