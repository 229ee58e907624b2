package pipeline.lake;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** Where the change topics end and how far the lake writer's consumer group has committed, as Kafka's admin API tells. */
public final class LakeWriterOffsets {

    private LakeWriterOffsets() {
    }

    /** The end offset of every partition of the topics. */
    public static Map<TopicPartition, Long> endOffsets(Admin admin, Collection<String> topics, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((topic, description) -> description.partitions()
                        .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, end) -> ends.put(partition, end.offset()));
        return ends;
    }

    /** Whether any consumer is a member of the group now: some lake writer runs and will commit. */
    public static boolean hasMembers(Admin admin, String groupId, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        return !admin.describeConsumerGroups(List.of(groupId)).describedGroups().get(groupId).get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .members().isEmpty();
    }

    /** The group's committed offset per partition; a partition it never committed is absent. */
    public static Map<TopicPartition, Long> committed(Admin admin, String groupId, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, Long> committed = new HashMap<>();
        admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .forEach((partition, offset) -> {
                    if (offset != null) {
                        committed.put(partition, offset.offset());
                    }
                });
        return committed;
    }
}
