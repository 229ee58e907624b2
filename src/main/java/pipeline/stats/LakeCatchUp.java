package pipeline.stats;

import java.time.Duration;
import java.util.List;
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

    /** True when the lake writer caught up with {@code table}'s change topic within {@code pipeline.stats.lake-wait}. */
    public static boolean await(PipelineSettings settings, String table) throws InterruptedException {
        return await(settings.kafka.clientProperties(), settings.kafka.changeTopic(table), settings.kafka.groupId, settings.stats.lakeWait);
    }

    /** True when the lake caught up before {@code timeout}. */
    public static boolean await(Map<String, Object> kafkaClient, String topic, String groupId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(PipelineSettings.Kafka.withCallTimeout(kafkaClient, ADMIN_TIMEOUT))) {
            Map<TopicPartition, Long> target = LakeWriterOffsets.endOffsets(admin, List.of(topic), ADMIN_TIMEOUT);
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, Long> committed = LakeWriterOffsets.committed(admin, groupId, ADMIN_TIMEOUT);
                boolean caughtUp = target.entrySet().stream()
                        .allMatch(end -> end.getValue() == 0 || committed.getOrDefault(end.getKey(), 0L) >= end.getValue());
                if (caughtUp) {
                    return true;
                }
                Thread.sleep(POLL_MS);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                // no change was ever captured for the table: there is nothing to wait for
                return true;
            }
            // an unreachable broker is a timeout, of the admin client's own or of the wait for it
            String problem = e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
                    ? notAnswered()
                    : RootCause.describe(e);
            LOG.warn("Could not compare the lake writer's offsets with topic {}: {}", topic, problem);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("Could not compare the lake writer's offsets with topic {}: {}", topic, notAnswered());
        }
        return false;
    }

    private static String notAnswered() {
        return "Kafka did not answer within " + ADMIN_TIMEOUT.toSeconds() + " s";
    }
}
