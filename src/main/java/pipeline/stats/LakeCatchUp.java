package pipeline.stats;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.lake.LakeWriterOffsets;

/**
 * Waits, within a bound, until the lake writer's committed offsets reach the change topic's end
 * offsets as they were when the wait began: then every change committed before is in the lake.
 */
public final class LakeCatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCatchUp.class);
    private static final long POLL_MS = 500;
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private LakeCatchUp() {
    }

    /**
     * How a wait ended and how long it took; {@code problem} says why the offsets could not be compared
     * (null when they could); {@code writerlessGroup} names the lake writer's group when the wait was given
     * up because no member of it ran (null otherwise).
     */
    public record Outcome(boolean caughtUp, Duration waited, String problem, String writerlessGroup) {

        /** What a command appends to its summary line: nothing after a wait of under a second. */
        public String remark() {
            String seconds = String.format(Locale.ROOT, "%.1f s", waited.toMillis() / 1000.0);
            if (problem != null) {
                return " (not known whether the lake writer had caught up with Kafka: " + problem + ")";
            }
            if (writerlessGroup != null) {
                return " (the lake writer had not caught up with Kafka, and none runs: its consumer group " + writerlessGroup
                        + " has no member)";
            }
            if (!caughtUp) {
                return " (the lake writer had not caught up with Kafka after " + seconds + ")";
            }
            return waited.compareTo(Duration.ofSeconds(1)) < 0
                    ? ""
                    : " (after " + seconds + " waiting for the lake writer to store what Kafka held)";
        }
    }

    /** True when the lake writer caught up with {@code table}'s change topic within {@code pipeline.stats.lake-wait}. */
    public static boolean await(PipelineSettings settings, String table) throws InterruptedException {
        return await(settings.kafka.clientProperties(), settings.kafka.changeTopic(table), settings.kafka.groupId, settings.stats.lakeWait);
    }

    /** True when the lake caught up before {@code timeout}; a failure to compare is logged. */
    public static boolean await(Map<String, Object> kafkaClient, String topic, String groupId, Duration timeout)
            throws InterruptedException {
        // the pipeline's own lake writer may not have joined its group yet: it is waited for all the same
        Outcome outcome = awaitOutcome(kafkaClient, topic, groupId, timeout, false);
        if (outcome.problem() != null) {
            LOG.warn("Could not compare the lake writer's offsets with topic {}: {}", topic, outcome.problem());
        }
        return outcome.caughtUp();
    }

    /** For a command, which tells the outcome in its one line rather than in a log. */
    public static Outcome awaitOutcome(PipelineSettings settings, String table) throws InterruptedException {
        return awaitOutcome(settings.kafka.clientProperties(), settings.kafka.changeTopic(table), settings.kafka.groupId,
                settings.stats.lakeWait);
    }

    /** As a command waits: not at all when no lake writer runs, since none would store what Kafka holds. */
    public static Outcome awaitOutcome(Map<String, Object> kafkaClient, String topic, String groupId, Duration timeout)
            throws InterruptedException {
        return awaitOutcome(kafkaClient, topic, groupId, timeout, true);
    }

    private static Outcome awaitOutcome(Map<String, Object> kafkaClient, String topic, String groupId, Duration timeout,
            boolean onlyWhileAWriterRuns) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Admin admin = Admin.create(PipelineSettings.Kafka.withCallTimeout(kafkaClient, ADMIN_TIMEOUT))) {
            Map<TopicPartition, Long> target = LakeWriterOffsets.endOffsets(admin, List.of(topic), ADMIN_TIMEOUT);
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, Long> committed = LakeWriterOffsets.committed(admin, groupId, ADMIN_TIMEOUT);
                boolean caughtUp = target.entrySet().stream()
                        .allMatch(end -> end.getValue() == 0 || committed.getOrDefault(end.getKey(), 0L) >= end.getValue());
                if (caughtUp) {
                    return new Outcome(true, since(start), null, null);
                }
                if (onlyWhileAWriterRuns && !LakeWriterOffsets.hasMembers(admin, groupId, ADMIN_TIMEOUT)) {
                    return new Outcome(false, since(start), null, groupId);
                }
                Thread.sleep(POLL_MS);
            }
            return new Outcome(false, since(start), null, null);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                // no change was ever captured for the table: there is nothing to wait for
                return new Outcome(true, since(start), null, null);
            }
            // an unreachable broker is a timeout, of the admin client's own or of the wait for it
            String problem = e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
                    ? notAnswered()
                    : RootCause.describe(e);
            return new Outcome(false, since(start), problem, null);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Outcome(false, since(start), notAnswered(), null);
        }
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static String notAnswered() {
        return "Kafka did not answer within " + ADMIN_TIMEOUT.toSeconds() + " s";
    }
}
