package pipeline.lake;

/** A record as read from a change topic, before decoding. */
public record KafkaChange(String topic, int partition, long offset, byte[] key, byte[] value) {
}
