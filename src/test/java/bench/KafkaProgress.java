package bench;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * How far a turn has got, as Kafka sees it: the change topic's end offset (events written) and the
 * lake writer's committed offset (events whose Parquet files are stored in S3: the pipeline commits
 * only after the upload). Polled every 100 ms.
 */
final class KafkaProgress implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(20);

    private final Admin admin;
    /** Change topics seen to exist: asking a topic's offsets before its creation makes the admin client log errors. */
    private final Set<String> existingTopics = new HashSet<>();

    KafkaProgress(String brokers) {
        admin = Admin.create(Map.of("bootstrap.servers", brokers));
    }

    /** Events on the turn's change topic (one partition); 0 while the topic does not exist yet. */
    long eventsInKafka(Turn turn) {
        TopicPartition partition = new TopicPartition(turn.changeTopic(), 0);
        try {
            if (!existingTopics.contains(turn.changeTopic())) {
                if (!admin.listTopics().names().get().contains(turn.changeTopic())) {
                    return 0;
                }
                existingTopics.add(turn.changeTopic());
            }
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
        } catch (Exception notYetCreated) {
            return 0;
        }
    }

    /** Events the lake writer has stored in S3 and committed; 0 before its first commit. */
    long eventsInLake(Turn turn) {
        TopicPartition partition = new TopicPartition(turn.changeTopic(), 0);
        try {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(turn.lakeGroup()).partitionsToOffsetAndMetadata().get()
                    .get(partition);
            return committed == null ? 0 : committed.offset();
        } catch (Exception noGroupYet) {
            return 0;
        }
    }

    /** Waits until {@code count} reaches {@code target} and returns System.nanoTime() of the poll that saw it. */
    static long awaitAtLeast(RunningSystem system, LongSupplier count, long target, String what) throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        long seen;
        while ((seen = count.getAsLong()) < target) {
            system.checkAlive();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(system.turn().id() + ": gave up waiting for " + what + " to reach " + target
                        + " after " + GIVE_UP_AFTER.toMinutes() + " minutes (at " + seen + ")");
            }
            Thread.sleep(POLL.toMillis());
        }
        return System.nanoTime();
    }

    /**
     * Deletes the turn's topics once it is over: the change topic of a 500,000-row turn holds about
     * 3.7 GB (JsonConverter repeats the schema in every record), and six turns would otherwise fill
     * the disk of a small machine.
     */
    void deleteTopicsOf(Turn turn) throws Exception {
        Set<String> topics = admin.listTopics().names().get().stream()
                .filter(name -> name.startsWith(turn.topicPrefix() + ".") || name.endsWith("." + turn.topicPrefix()))
                .collect(Collectors.toSet());
        admin.deleteTopics(topics).all().get();
    }

    @Override
    public void close() {
        admin.close();
    }
}
