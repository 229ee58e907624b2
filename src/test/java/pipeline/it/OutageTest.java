package pipeline.it;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;
import pipeline.dev.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;

/**
 * The app, as its own process, rides out a Kafka broker stopped for 30 s, S3 unreachable for 30 s
 * and a Postgres restart while changes stream in: health is DOWN naming the dependency for the
 * whole outage and UP again after it, the app is never restarted, and no change is lost.
 */
@Tag("slow")
class OutageTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private RunningPipeline pipeline;

    @Test
    void kafkaS3AndPostgresOutagesAreReportedAndRiddenOut(@TempDir Path dir) throws Exception {
        int postgresPort = DevServers.freePort();
        int kafkaPort = DevServers.freePort();
        int controllerPort = DevServers.freePort();
        EmbeddedPostgres postgres = EmbeddedPostgres.start(dir.resolve("postgres"), postgresPort);
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort, controllerPort);
        Database database = () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres", "postgres", "");
        String name = "trip_outages";
        createTable(database, name);
        pipeline = new RunningPipeline(name);
        List<String> figures = new ArrayList<>();
        try (S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket);
                AppProcess app = AppProcess.start(pipeline.with("pipeline.pg.port", String.valueOf(postgresPort))
                        .with("pipeline.kafka.brokers", kafka.bootstrapServers())
                        .with("pipeline.s3.endpoint", s3.endpoint()))) {
            // the changes must come after the initial snapshot, which would fold earlier ones into its reads
            await().alias("streaming").atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> pipeline.slotActive(database));
            awaitHealth(200);
            ChangeStream stream = new ChangeStream(database, pipeline.table, 100, 11);
            stream.start(1_000).get(2, TimeUnit.MINUTES);

            kafka.close();
            CompletableFuture<Void> duringKafkaOutage = stream.start(2_000);
            figures.add("Kafka stopped: DOWN after " + awaitDownNaming("kafka"));
            kafka = EmbeddedKafka.start(dir.resolve("kafka"), kafkaPort, controllerPort);
            figures.add("UP " + awaitHealth(200) + " after the broker's return");
            duringKafkaOutage.get(2, TimeUnit.MINUTES);

            s3.cut();
            CompletableFuture<Void> duringS3Outage = stream.start(2_000);
            figures.add("S3 cut: DOWN after " + awaitDownNaming("s3"));
            s3.restore();
            figures.add("UP " + awaitHealth(200) + " after S3's return");
            duringS3Outage.get(2, TimeUnit.MINUTES);

            postgres.close();
            figures.add("Postgres stopped: DOWN after " + awaitDownNaming("postgres"));
            postgres = EmbeddedPostgres.start(dir.resolve("postgres"), postgresPort);
            figures.add("UP " + awaitHealth(200) + " after its restart");
            stream.start(1_000).get(2, TimeUnit.MINUTES);

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeEqualsTable(database, lake, name);
            assertThat(app.isAlive()).as("the same process all along").isTrue();
            stream.assertEveryChangeIn(lake);
            List<String> events = lake.query("SELECT count(*), count(DISTINCT (__lsn, trip_id, __op)) FROM {events}").get(0);
            System.out.printf("OutageTest figures: %,d changes, %s; %s events stored, %s distinct%n",
                    stream.made(), String.join(", ", figures), events.get(0), events.get(1));
        } finally {
            kafka.close();
            postgres.close();
        }
    }

    /** Health is DOWN naming {@code dependency} within a minute, and stays DOWN for the whole outage; returns how soon it said so. */
    private String awaitDownNaming(String dependency) {
        long began = System.nanoTime();
        await().alias("health DOWN naming " + dependency).atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            HttpResponse<String> health = pipeline.get("/observe/health");
            return health.statusCode() == 503 && health.body().contains("\"name\":\"" + dependency + "\",\"status\":\"DOWN\"");
        });
        String after = seconds(began);
        await().alias(dependency + " DOWN for the whole outage").during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).ignoreExceptions()
                .until(() -> pipeline.get("/observe/health").statusCode() == 503);
        return after;
    }

    private String awaitHealth(int status) {
        long began = System.nanoTime();
        await().alias("health " + status).atMost(Duration.ofMinutes(3)).ignoreExceptions()
                .until(() -> pipeline.get("/observe/health").statusCode() == status);
        return seconds(began);
    }

    private static String seconds(long began) {
        return String.format("%.1f s", (System.nanoTime() - began) / 1e9);
    }
}
