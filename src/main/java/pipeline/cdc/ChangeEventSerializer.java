package pipeline.cdc;

import java.util.Map;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Writes Debezium's records exactly as Kafka Connect's JsonConverter with schemas enabled would,
 * key and value, so any Kafka Connect sink or Debezium consumer can read the change topics.
 */
public final class ChangeEventSerializer {

    private final JsonConverter keyConverter = new JsonConverter();
    private final JsonConverter valueConverter = new JsonConverter();

    public ChangeEventSerializer() {
        keyConverter.configure(Map.of("schemas.enable", "true"), true);
        valueConverter.configure(Map.of("schemas.enable", "true"), false);
    }

    public byte[] key(SourceRecord record) {
        return keyConverter.fromConnectData(record.topic(), record.keySchema(), record.key());
    }

    /** The envelope, or null for a tombstone. */
    public byte[] value(SourceRecord record) {
        return valueConverter.fromConnectData(record.topic(), record.valueSchema(), record.value());
    }
}
