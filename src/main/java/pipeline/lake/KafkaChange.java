package pipeline.lake;

import java.nio.ByteBuffer;

import org.apache.kafka.common.utils.Utils;

/**
 * A record as read from a change topic, before decoding. Key and value are the consumer's own
 * buffers, not copies: they are read once, and copied only for a record sent to the dead letters.
 */
public record KafkaChange(String topic, int partition, long offset, ByteBuffer key, ByteBuffer value) {

    public KafkaChange(String topic, int partition, long offset, byte[] key, byte[] value) {
        this(topic, partition, offset, wrap(key), wrap(value));
    }

    public byte[] keyBytes() {
        return Utils.toNullableArray(key);
    }

    public byte[] valueBytes() {
        return Utils.toNullableArray(value);
    }

    private static ByteBuffer wrap(byte[] bytes) {
        return bytes == null ? null : ByteBuffer.wrap(bytes);
    }
}
