package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import pipeline.stats.LakeCatchUp;
import pipeline.stats.LakeTrips;
import pipeline.stats.MonthlyStatisticsService;
import pipeline.stats.StatisticsJob;
import pipeline.stats.TripColumns;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a firing of route monthly-stats computes, with a clock under the test's control, against
 * real S3 and Kafka: the previous month in the pipeline's zone, then the missing months oldest
 * first; and a manifest that says when the lake writer had not caught up.
 */
class MonthlyStatisticsServiceTest {

    private static final TripColumns COLUMNS = new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km");
    /** 00:30 on 1 April in Paris, still 31 March in UTC. */
    private static final Clock JUST_AFTER_MIDNIGHT_IN_PARIS = Clock.fixed(Instant.parse("2024-03-31T22:30:00Z"), ZoneOffset.UTC);

    @Test
    void aFiringComputesThePreviousMonthInThePipelinesZoneThenTheMissingMonths() throws Exception {
        String bucket = newBucket("stats-firing");
        S3Client s3 = SharedServers.s3();
        ZoneId paris = ZoneId.of("Europe/Paris");
        MonthlyStatisticsService service = new MonthlyStatisticsService(
                new StatisticsJob(s3, bucket, "public.no_trips", new LakeTrips(COLUMNS, paris, null)),
                s3, bucket, YearMonth.of(2024, 1), paris, JUST_AFTER_MIDNIGHT_IN_PARIS, () -> true, 3);

        assertThat(service.onFiring()).extracting(StatisticsJob.Summary::month)
                .containsExactly(YearMonth.of(2024, 3), YearMonth.of(2024, 1), YearMonth.of(2024, 2));
        assertThat(service.onFiring()).as("a second firing re-runs the previous month only").extracting(StatisticsJob.Summary::month)
                .containsExactly(YearMonth.of(2024, 3));
        assertThat(new Lake(bucket, "public.no_trips").objects("stats/vehicle_monthly/year=2024/month=03/"))
                .as("a re-run replaces the month's objects")
                .containsExactlyInAnyOrder("stats/vehicle_monthly/year=2024/month=03/_SUCCESS",
                        "stats/vehicle_monthly/year=2024/month=03/part-00000.parquet");

        MonthlyStatisticsService inUtc = new MonthlyStatisticsService(new StatisticsJob(s3, bucket, "public.no_trips",
                new LakeTrips(COLUMNS, ZoneOffset.UTC, null)), s3, bucket, YearMonth.of(2024, 1), ZoneOffset.UTC,
                JUST_AFTER_MIDNIGHT_IN_PARIS, () -> true, 3);
        assertThat(inUtc.onFiring()).as("in UTC it is still March").extracting(StatisticsJob.Summary::month)
                .containsExactly(YearMonth.of(2024, 2));
    }

    @Test
    void theManifestSaysWhetherTheLakeWriterHadCaughtUp() throws Exception {
        String brokers = SharedServers.get().kafka.bootstrapServers();
        String topic = "it-catch-up." + System.nanoTime();
        String group = "it-catch-up-lake-writer";
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", brokers),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, ("change " + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        String bucket = newBucket("stats-catch-up");
        S3Client s3 = SharedServers.s3();
        MonthlyStatisticsService service = new MonthlyStatisticsService(
                new StatisticsJob(s3, bucket, "public.no_trips", new LakeTrips(COLUMNS, ZoneOffset.UTC, null)), s3, bucket, null,
                ZoneOffset.UTC,
                JUST_AFTER_MIDNIGHT_IN_PARIS,
                () -> LakeCatchUp.await(java.util.Map.of("bootstrap.servers", brokers), topic, group, Duration.ofSeconds(2)), 3);

        service.onFiring();
        assertThat(manifest(bucket).get("lake_caught_up").asBoolean()).as("nothing of the topic was committed").isFalse();

        commitEndOffsets(brokers, topic, group);
        service.onFiring();
        JsonNode manifest = manifest(bucket);
        assertThat(manifest.get("lake_caught_up").asBoolean()).isTrue();
        assertThat(manifest.get("month").asText()).isEqualTo("2024-02");
    }

    @Test
    void aCommandDoesNotWaitForALakeWriterThatDoesNotRun() throws Exception {
        String brokers = SharedServers.get().kafka.bootstrapServers();
        String topic = "it-no-writer." + System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", brokers),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, "change".getBytes(StandardCharsets.UTF_8))).get();
        }
        long started = System.nanoTime();
        LakeCatchUp.Outcome outcome = LakeCatchUp.awaitOutcome(Map.of("bootstrap.servers", brokers), topic, "it-no-writer",
                Duration.ofMinutes(10));

        assertThat(outcome.caughtUp()).isFalse();
        assertThat(outcome.writerlessGroup()).isEqualTo("it-no-writer");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no ten-minute wait").isLessThan(Duration.ofSeconds(10));
        // a member of the group, even one that commits nothing, is waited for until the bound
        try (KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers, "group.id", "it-slow-writer"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            member.subscribe(List.of(topic));
            long joining = System.nanoTime();
            while (member.assignment().isEmpty() && System.nanoTime() - joining < Duration.ofSeconds(30).toNanos()) {
                member.poll(Duration.ofMillis(100));
            }
            LakeCatchUp.Outcome waited = LakeCatchUp.awaitOutcome(Map.of("bootstrap.servers", brokers), topic, "it-slow-writer",
                    Duration.ofSeconds(2));
            assertThat(waited.writerlessGroup()).isNull();
            assertThat(waited.waited()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void anUnreachableKafkaEndsTheWaitForTheLakeWithinTheAdminTimeout() throws Exception {
        String nothingListens = "127.0.0.1:" + pipeline.dev.DevServers.freePort();
        long started = System.nanoTime();
        boolean caughtUp = LakeCatchUp.await(Map.of("bootstrap.servers", nothingListens), "cdc.public.trip", "lake",
                Duration.ofMinutes(10));
        assertThat(caughtUp).isFalse();
        // 10 s for Kafka to answer; closing the admin client waited another minute for its own retries
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
    }

    private static String newBucket(String prefix) {
        String bucket = prefix + "-" + System.nanoTime();
        SharedServers.s3().createBucket(r -> r.bucket(bucket));
        return bucket;
    }

    private static JsonNode manifest(String bucket) throws Exception {
        return new ObjectMapper().readTree(SharedServers.s3()
                .getObjectAsBytes(r -> r.bucket(bucket).key("stats/vehicle_monthly/year=2024/month=02/_SUCCESS")).asByteArray());
    }

    /** What the lake writer does once a batch is in S3. */
    private static void commitEndOffsets(String brokers, String topic, String group) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers, "group.id", group),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            Map<TopicPartition, Long> end = consumer.endOffsets(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(end.get(partition))));
        }
    }
}
