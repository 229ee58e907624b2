package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;

/**
 * The app, as its own process, is killed with SIGKILL five times while 50,000 mixed changes stream
 * in: during a statistics run, during a Debezium batch (part of a 10,000-change transaction in
 * Kafka), between an upload to S3 and the offset commit that follows it (twice), and at a random
 * moment of the stream, restarted each time. Every change reaches the lake, the
 * latest state equals the table, and the statistics equal the contract's SQL; the copies the crashes
 * left are counted.
 */
@Tag("slow")
class CrashTest {

    private static final int CHANGES = 50_000;
    private static final String ZONE = "Europe/Paris";
    private static final int LARGE_TRANSACTION = 10_000;

    private AppProcess app;
    /** The change topic's end offset right after each kill: copies a restart re-sends land from there on. */
    private final List<Long> endOffsetAtKill = new ArrayList<>();

    @Test
    void afterFiveKillsEveryChangeIsInTheLakeAndTheStatisticsEqualTheSql() throws Exception {
        String name = "trip_crash";
        createTable(name);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket); pipeline) {
            pipeline.with("pipeline.s3.endpoint", s3.endpoint())
                    .with("pipeline.timezone", ZONE)
                    .with("pipeline.lake.flush-interval", "2s")
                    .with("pipeline.lake.flush-max-records", "5000")
                    .with("pipeline.stats.cron", "0/15 * * * * ?");
            startApp(pipeline);
            ChangeStream stream = new ChangeStream(SharedServers::postgres, pipeline.table, 250, seed);
            CompletableFuture<Void> writing = stream.start(CHANGES);
            List<String> kills = new ArrayList<>();

            killWhen(pipeline, kills, "during a statistics run", s3::whenNextDownload);
            int largeTransactionInKafka = killDuringDebeziumBatch(pipeline, kills, stream);
            killWhen(pipeline, kills, "between an upload and its offset commit", s3::whenNextUploadStored);
            killWhen(pipeline, kills, "at a random moment of the stream", action -> randomly(random, action));
            killWhen(pipeline, kills, "between an upload and its offset commit", s3::whenNextUploadStored);
            int changesWhenKilledLast = stream.made();

            writing.get(5, TimeUnit.MINUTES);
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeEqualsTable(lake, name);
            assertThat(app.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, AppProcess.STOPPED_BY_SIGTERM);

            List<String> events = lake.query("SELECT count(*), count(DISTINCT (__lsn, trip_id, __op)), "
                    + "count(DISTINCT (__kafka_partition, __kafka_offset)) FROM {events}").get(0);
            long stored = Long.parseLong(events.get(0));
            long distinct = Long.parseLong(events.get(1));
            long distinctRecords = Long.parseLong(events.get(2));
            stream.assertEveryChangeIn(lake);
            assertThat(distinct).as("distinct change events in the lake: each source change once, nothing else").isEqualTo(CHANGES);

            List<String> months = List.of("2023-12", "2024-01", "2024-02", "2024-03", "2024-04");
            try (Connection pg = SharedServers.postgres()) {
                for (String month : months) {
                    AppProcess stats = AppProcess.start(pipeline, "stats", "--month", month);
                    assertThat(stats.exitCode(Duration.ofMinutes(2))).as(stats.output()).isZero();
                    List<List<Object>> expected = contractRows(pg, pipeline.table, month, ZONE);
                    assertEqualToContract(StatisticsFromLakeTest.readResult(lake, month), expected);
                }
            }
            System.out.printf("CrashTest figures (seed %d): %,d changes streamed, %d kills (%s; the Debezium batch kill came with %,d of "
                    + "the %,d-change transaction's events in Kafka), %,d changes made before the last kill, "
                    + "%,d events stored, %,d distinct, %,d copies (%,d sent to Kafka twice, %,d written to the lake twice; "
                    + "re-sent after each kill: %s), 0 lost%n",
                    seed, CHANGES, kills.size(), String.join("; ", kills), largeTransactionInKafka, LARGE_TRANSACTION,
                    changesWhenKilledLast, stored, distinct, stored - distinct,
                    distinctRecords - distinct, stored - distinctRecords, copiesAfterEachKill(lake));
        } finally {
            if (app != null) {
                app.close();
            }
        }
    }

    /**
     * Kills the app once the first event of a 10,000-change transaction is in Kafka, while the route
     * still sends Debezium's batches of it; returns how many of its events were in Kafka then.
     */
    private int killDuringDebeziumBatch(RunningPipeline pipeline, List<String> kills, ChangeStream stream) throws Exception {
        CompletableFuture<Integer> inKafka = new CompletableFuture<>();
        try (TransactionWatch watch = new TransactionWatch(pipeline.changeTopic())) {
            CompletableFuture<Long> committed = stream.largeTransactionNext(LARGE_TRANSACTION);
            killWhen(pipeline, kills, "during a Debezium batch", kill -> CompletableFuture.runAsync(() -> {
                long transaction = committed.join();
                int first = 0;
                while (first == 0) {
                    first = watch.read(transaction, Duration.ofMillis(10));
                }
                kill.run();
                // everything the broker took before the kill, however long reading it takes
                long end = Topics.endOffset(pipeline.changeTopic());
                int seen = first;
                while (watch.position() < end) {
                    seen = watch.read(transaction, Duration.ofMillis(100));
                }
                inKafka.complete(seen);
            }).exceptionally(failure -> {
                inKafka.completeExceptionally(failure);
                return null;
            }));
            int seen = inKafka.get(1, TimeUnit.MINUTES);
            assertThat(seen).as("events of the large transaction in Kafka at the kill: some, not all").isBetween(1, LARGE_TRANSACTION - 1);
            return seen;
        }
    }

    /** Change-topic records that repeat an event stored at a lower offset, counted by the kill after which they were sent. */
    private String copiesAfterEachKill(Lake lake) throws Exception {
        long[] copies = new long[endOffsetAtKill.size()];
        for (List<String> row : lake.query("SELECT __kafka_offset FROM (SELECT __kafka_offset, row_number() OVER "
                + "(PARTITION BY __lsn, trip_id, __op ORDER BY __kafka_offset) AS nth "
                + "FROM (SELECT DISTINCT __lsn, trip_id, __op, __kafka_offset FROM {events})) WHERE nth > 1")) {
            long offset = Long.parseLong(row.get(0));
            for (int kill = copies.length - 1; kill >= 0; kill--) {
                if (offset >= endOffsetAtKill.get(kill)) {
                    copies[kill]++;
                    break;
                }
            }
        }
        return java.util.Arrays.toString(copies);
    }

    /** Arms {@code trigger} to kill the running app, waits for the kill, and starts the app again. */
    private void killWhen(RunningPipeline pipeline, List<String> kills, String moment,
            java.util.function.Consumer<Runnable> trigger) throws Exception {
        AppProcess victim = app;
        CompletableFuture<Void> killed = new CompletableFuture<>();
        trigger.accept(() -> {
            victim.kill();
            killed.complete(null);
        });
        killed.get(3, TimeUnit.MINUTES);
        kills.add(moment);
        endOffsetAtKill.add(Topics.endOffset(pipeline.changeTopic()));
        await().alias("Postgres noticed the killed replication connection").atMost(Duration.ofSeconds(60))
                .until(() -> !pipeline.slotActive());
        startApp(pipeline);
    }

    private void startApp(RunningPipeline pipeline) throws Exception {
        app = AppProcess.start(pipeline);
        pipeline.awaitStreaming();
    }

    /** Reads a change topic from its end at creation and counts the events of each transaction ({@code source.txId}). */
    private static final class TransactionWatch implements AutoCloseable {

        private static final Pattern TRANSACTION_ID = Pattern.compile("\"txId\":(\\d+)");

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<Long, Integer> eventsPerTransaction = new HashMap<>();

        TransactionWatch(String topic) {
            consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", SharedServers.get().kafka.bootstrapServers()),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(partition -> new TopicPartition(topic, partition.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        /** The offset of the next record to read (the change topic has one partition here). */
        long position() {
            return consumer.position(consumer.assignment().iterator().next());
        }

        /** Reads what arrives within {@code wait}; the number of events of {@code transaction} read so far. */
        int read(long transaction, Duration wait) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                if (record.value() != null) {
                    Matcher id = TRANSACTION_ID.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (id.find()) {
                        eventsPerTransaction.merge(Long.parseLong(id.group(1)), 1, Integer::sum);
                    }
                }
            }
            return eventsPerTransaction.getOrDefault(transaction, 0);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static void randomly(Random random, Runnable action) {
        long delay = 2_000 + random.nextInt(6_000);
        CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(action);
    }
}
