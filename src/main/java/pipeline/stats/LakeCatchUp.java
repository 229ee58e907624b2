package pipeline.stats;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, within a bound, until the lake writer's committed offsets reach the change topic's end
 * offsets as they were when the wait began: then every change committed before is in the lake.
 */
public final class LakeCatchUp {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCatchUp.class);
    private static final long POLL_MS = 500;

    private LakeCatchUp() {
    }

    /** True when the lake caught up before {@code timeout}. */
    public static boolean await(String brokers, String topic, String groupId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", brokers, "request.timeout.ms", "10000"))) {
            Map<TopicPartition, Long> target = endOffsets(admin, topic);
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                boolean caughtUp = target.entrySet().stream().allMatch(end -> end.getValue() == 0
                        || (committed.get(end.getKey()) != null && committed.get(end.getKey()).offset() >= end.getValue()));
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
            LOG.warn("Could not compare the lake writer's offsets with topic {}: {}", topic, e.getMessage());
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("Could not compare the lake writer's offsets with topic {}: {}", topic, e.getMessage());
        }
        return false;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic)
            throws java.util.concurrent.ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        var description = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = description.partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
