package pipeline.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pipeline.lake.LakeWriterOffsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;

/**
 * SIGTERM while a batch is being uploaded: the app exits cleanly, every offset the lake writer
 * committed is covered by files in S3 (nothing half-committed), and the next start carries on
 * with the changes made meanwhile. SIGTERM before the first upload of a run ever reached S3 stops in
 * seconds, with no error or stack trace, and leaves the batch to the next start. A stop while the monthly
 * statistics wait to retry a failed run does not wait for that retry.
 */
@Tag("slow")
class GracefulStopTest {

    @Test
    void sigtermMidBatchLeavesNothingHalfDoneAndTheNextStartCarriesOn() throws Exception {
        String name = "trip_sigterm";
        createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline; S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket)) {
            pipeline.with("pipeline.s3.endpoint", s3.endpoint());
            AppProcess app = AppProcess.start(pipeline);
            pipeline.awaitStreaming();
            ChangeStream stream = new ChangeStream(SharedServers::postgres, pipeline.table, 200, 5);
            CompletableFuture<Void> writing = stream.start(6_000);
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            await().alias("first files").atMost(Duration.ofSeconds(60)).until(() -> !lake.keys().isEmpty());

            int uploads = s3.uploadsSeen();
            s3.holdNextUploadAnswer(Duration.ofSeconds(5));
            await().alias("a batch being uploaded").atMost(Duration.ofSeconds(60)).until(() -> s3.uploadsSeen() > uploads);
            int exitCode = app.stop(Duration.ofSeconds(60));
            assertThat(exitCode).as("exit code after SIGTERM").isIn(0, AppProcess.STOPPED_BY_SIGTERM);
            assertThat(app.output()).as("the app's output").doesNotContain("Exception");
            assertCommittedOffsetsAreInTheLake(pipeline, lake);

            try (AppProcess next = AppProcess.start(pipeline)) {
                writing.get(3, TimeUnit.MINUTES);
                awaitLakeEqualsTable(lake, name);
                stream.assertEveryChangeIn(lake);
                List<String> events = lake.query("SELECT count(*), count(DISTINCT (__lsn, trip_id, __op)) FROM {events}").get(0);
                System.out.printf(
                        "GracefulStopTest figures: %,d changes, SIGTERM during an upload, exit code %d, %s events stored, %s distinct%n",
                        stream.made(), exitCode, events.get(0), events.get(1));
                next.stop(Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void sigtermBeforeTheFirstUploadStopsInSecondsAndTheNextStartStoresTheBatch() throws Exception {
        String name = "trip_sigterm_first";
        createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline; S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket)) {
            // no upload of this run ever reaches S3: the S3 endpoint is resolved at the first upload and never starts
            s3.cut();
            pipeline.with("pipeline.s3.endpoint", s3.endpoint());
            AppProcess app = AppProcess.start(pipeline);
            pipeline.awaitStreaming();
            for (int id = 1; id <= 20; id++) {
                CdcToLakeTest.execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (" + id + ", 'v-" + id
                        + "', now())");
            }
            await().alias("the lake writer's first upload failing and being retried").atMost(Duration.ofSeconds(120))
                    .until(() -> app.output().lines()
                            .anyMatch(line -> line.contains("- Split]") && line.contains("On delivery attempt: 1")));
            int shownBeforeStop = app.output().length();
            long stopping = System.nanoTime();
            int exitCode = app.stop(Duration.ofSeconds(60));
            Duration took = Duration.ofNanos(System.nanoTime() - stopping);
            String afterStop = app.output().substring(shownBeforeStop);
            System.out.printf("GracefulStopTest figures: SIGTERM before the first upload: exit code %d after %.1f s%n",
                    exitCode, took.toMillis() / 1000.0);
            assertThat(exitCode).as("exit code after SIGTERM").isIn(0, AppProcess.STOPPED_BY_SIGTERM);
            // the lake writer waits up to 10 s for its batch in flight, whose upload retries run until the route stops
            assertThat(took).as("a stop takes seconds").isLessThan(Duration.ofSeconds(20));
            // upload retries go on while the lake writer waits (10 s at most) for its batch: their WARN lines may show
            assertThat(afterStop.lines().filter(line -> !line.contains("On delivery attempt")).toList())
                    .as("what the app printed once told to stop").noneMatch(line -> line.contains("ERROR") || line.contains("Exception")
                            || line.startsWith("\tat ") || line.contains("Exhausted"));
            assertThat(afterStop.lines().filter(line -> line.contains("On delivery attempt")).count()).as("retries after the signal")
                    .isLessThanOrEqualTo(4);
            assertThat(afterStop).contains("Lake batch not stored, the pipeline is stopping; it is read again at the next start");

            s3.restore();
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            try (AppProcess next = AppProcess.start(pipeline)) {
                awaitLakeEqualsTable(lake, name);
                next.stop(Duration.ofSeconds(60));
            }
        }
    }

    @Test
    void sigtermWhileAFailedStatisticsRunWaitsToRetryDoesNotWaitForTheRetry() throws Exception {
        String name = "trip_sigterm_stats";
        createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline; S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket)) {
            s3.cut();
            pipeline.with("pipeline.s3.endpoint", s3.endpoint())
                    .with("pipeline.stats.cron", "0/5 * * * * ?")
                    .with("pipeline.stats.retry-delay", "10m");
            try (AppProcess app = AppProcess.start(pipeline)) {
                app.awaitOutput("On delivery attempt: 0", 0, Duration.ofSeconds(120));
                long stopping = System.nanoTime();
                int exitCode = app.stop(Duration.ofSeconds(120));
                Duration took = Duration.ofNanos(System.nanoTime() - stopping);
                System.out.printf("GracefulStopTest figures: SIGTERM while the statistics wait to retry: exit code %d after %.1f s%n",
                        exitCode, took.toMillis() / 1000.0);
                assertThat(exitCode).as("exit code after SIGTERM").isIn(0, AppProcess.STOPPED_BY_SIGTERM);
                assertThat(took).as("stopped before Camel's 30 s shutdown timeout forced it").isLessThan(Duration.ofSeconds(25));
            }
        }
    }

    /** Every change-topic record below the group's committed offset, tombstones aside, is a row of a stored file. */
    private static void assertCommittedOffsetsAreInTheLake(RunningPipeline pipeline, Lake lake) throws Exception {
        long committed;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", SharedServers.get().kafka.bootstrapServers()))) {
            committed = LakeWriterOffsets.committed(admin, pipeline.table.substring("public.".length()) + "-lake", Duration.ofSeconds(10))
                    .getOrDefault(new TopicPartition(pipeline.changeTopic(), 0), 0L);
        }
        Set<Long> expected = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> record : Topics.read(pipeline.changeTopic(), (int) committed)) {
            if (record.offset() < committed && record.value() != null) {
                expected.add(record.offset());
            }
        }
        Set<Long> stored = new TreeSet<>();
        for (List<String> row : lake.query("SELECT DISTINCT __kafka_offset FROM {events} WHERE __kafka_offset < " + committed)) {
            stored.add(Long.parseLong(row.get(0)));
        }
        assertThat(committed).as("the lake writer committed something before the stop").isPositive();
        assertThat(stored).as("offsets below the committed one, in the lake").isEqualTo(expected);
    }
}
