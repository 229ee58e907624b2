package pipeline.lake;

import java.util.List;

/** What one batch of change records becomes: Parquet files to upload and records to dead-letter. */
public record LakeBatch(List<LakeFile> files, List<RejectedChange> rejected, int tombstones) {

    public int rows() {
        return files.stream().mapToInt(LakeFile::rows).sum();
    }
}
