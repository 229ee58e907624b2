package pipeline.lake;

/** A finished Snappy Parquet file and the Kafka records it holds. */
public record LakeFile(String objectKey, byte[] content, String table, String topic, int partition,
        long firstOffset, long lastOffset, int rows) {

    /** The file's size in bytes, for the upload's Content-Length. */
    public long contentLength() {
        return content.length;
    }

    @Override
    public String toString() {
        return objectKey + " (" + rows + " rows, " + content.length + " bytes, offsets " + firstOffset + "-" + lastOffset + ")";
    }
}
