package pipeline.lake;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * What a batch of change records becomes: Parquet files to upload and records to dead-letter, plus
 * the Kafka offsets it covers, which may be committed once both are stored.
 */
public record LakeBatch(List<LakeFile> files, List<RejectedChange> rejected, int tombstones, Map<TopicPartition, Offsets> offsets) {

    /** The first and last offset of a partition's records in the batch. */
    public record Offsets(long first, long last) {
    }

    public int rows() {
        return files.stream().mapToInt(LakeFile::rows).sum();
    }
}
