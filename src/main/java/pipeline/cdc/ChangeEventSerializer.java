package pipeline.cdc;

import org.apache.kafka.connect.source.SourceRecord;

/**
 * Writes Debezium's records exactly as Kafka Connect's JsonConverter with schemas enabled would,
 * key and value, so any Kafka Connect sink or Debezium consumer can read the change topics. Like
 * JsonConverter with {@code replace.null.with.default=false}, which Debezium recommends, a NULL in a
 * column with a DEFAULT stays null instead of becoming the default.
 */
public final class ChangeEventSerializer {

    // Two writers, like the key and value converters they replace, each with its own schemas. Both
    // are synchronized: the serializer is safe for concurrent use.
    private final SchemaAndPayloadWriter keyWriter = new SchemaAndPayloadWriter(true);
    private final SchemaAndPayloadWriter valueWriter = new SchemaAndPayloadWriter(false);

    public byte[] key(SourceRecord record) {
        return keyWriter.write(record.keySchema(), record.key());
    }

    /** The envelope, or null for a tombstone. */
    public byte[] value(SourceRecord record) {
        return valueWriter.write(record.valueSchema(), record.value());
    }
}
