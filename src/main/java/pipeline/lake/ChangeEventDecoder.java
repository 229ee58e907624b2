package pipeline.lake;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * Reads a Debezium envelope written by Kafka Connect's JsonConverter with schemas enabled straight
 * into a lake row, in one streaming pass over the payload. JsonConverter repeats the whole schema
 * block (most of the record's bytes) in every record: a block seen before is recognised by
 * comparing bytes and never parsed again. Not thread-safe: one decoder per lake writer.
 */
public final class ChangeEventDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SCHEMA_FIELD = "{\"schema\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PAYLOAD_FIELD = ",\"payload\":".getBytes(StandardCharsets.UTF_8);
    private static final String NOT_A_RECORD = "not a JsonConverter record with schema: ";
    /** Schema blocks remembered; a topic has one per table version, so a few cover the tables of a batch. */
    private static final int REMEMBERED_SCHEMAS = 16;
    /** Says a record that starts with a known schema block continues in another layout than JsonConverter's. */
    private static final ChangeEvent NOT_DECODED = new ChangeEvent("", "", null, new Object[0], 0, null, null);

    private final JsonConverter schemaReader = new JsonConverter();
    /** Most recently used first. */
    private final List<EnvelopeSchema> schemas = new ArrayList<>();
    private final Map<RowKey, RowMapping> mappings = new HashMap<>();

    public ChangeEventDecoder() {
        schemaReader.configure(Map.of("schemas.enable", "true"), false);
    }

    /** Returns the event, or null for a tombstone (a null value or payload). */
    public ChangeEvent decode(String topic, byte[] value) {
        return value == null ? null : decode(topic, ByteBuffer.wrap(value));
    }

    /** Returns the event, or null for a tombstone; reads the buffer's remaining bytes without moving its position. */
    public ChangeEvent decode(String topic, ByteBuffer value) {
        if (value == null) {
            return null;
        }
        Bytes record = Bytes.of(value);
        try {
            EnvelopeSchema known = knownSchemaOf(record);
            if (known != null) {
                ChangeEvent event = decodeWithKnownSchema(record, known);
                if (event != NOT_DECODED) {
                    return event;
                }
            }
            return decodeAnyLayout(record);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeEventException(NOT_A_RECORD + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedChangeEventException(NOT_A_RECORD + e.getMessage(), e);
        }
    }

    /** The record's bytes where they lie: the Kafka consumer's buffer, not a copy. */
    private record Bytes(byte[] array, int start, int end) {

        static Bytes of(ByteBuffer buffer) {
            if (buffer.hasArray()) {
                int start = buffer.arrayOffset() + buffer.position();
                return new Bytes(buffer.array(), start, start + buffer.remaining());
            }
            byte[] copy = Utils.toArray(buffer);
            return new Bytes(copy, 0, copy.length);
        }

        int length() {
            return end - start;
        }

        /** Whether {@code expected} lies here from {@code from}, counted from the record's start. */
        boolean holds(int from, byte[] expected) {
            return from + expected.length <= length()
                    && Arrays.equals(array, start + from, start + from + expected.length, expected, 0, expected.length);
        }
    }

    /** The remembered schema block the record starts with, laid out as JsonConverter writes it, or null. */
    private EnvelopeSchema knownSchemaOf(Bytes value) {
        if (!value.holds(0, SCHEMA_FIELD)) {
            return null;
        }
        for (int i = 0; i < schemas.size(); i++) {
            EnvelopeSchema candidate = schemas.get(i);
            byte[] schema = candidate.json();
            int schemaEnd = SCHEMA_FIELD.length + schema.length;
            // a JSON object ends where its bytes say: equal bytes from the start are the same schema block
            if (schemaEnd + PAYLOAD_FIELD.length < value.length() && value.holds(SCHEMA_FIELD.length, schema)
                    && value.holds(schemaEnd, PAYLOAD_FIELD)) {
                if (i > 0) {
                    schemas.add(0, schemas.remove(i));
                }
                return candidate;
            }
        }
        return null;
    }

    /** Reads the payload after a known schema block; NOT_DECODED when what follows it is not exactly the payload and the record's end. */
    private static ChangeEvent decodeWithKnownSchema(Bytes value, EnvelopeSchema schema) throws IOException {
        int payloadStart = value.start() + SCHEMA_FIELD.length + schema.json().length + PAYLOAD_FIELD.length;
        int payloadLength = value.end() - 1 - payloadStart;
        if (value.array()[value.end() - 1] != '}' || payloadLength <= 0) {
            return NOT_DECODED;
        }
        try (JsonParser payload = JSON.getFactory().createParser(value.array(), payloadStart, payloadLength)) {
            payload.nextToken();
            ChangeEvent event = schema.read(payload);
            JsonToken after;
            try {
                after = payload.nextToken();
            } catch (JsonParseException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            return after == null ? event : NOT_DECODED;
        }
    }

    /** Any JSON layout of a JsonConverter record: parsed whole, its schema block written compactly as the cache key. */
    private ChangeEvent decodeAnyLayout(Bytes value) throws IOException {
        JsonNode record = JSON.readTree(value.array(), value.start(), value.length());
        if (record == null || !record.isObject() || !record.has("schema") || !record.has("payload")) {
            throw new MalformedChangeEventException(NOT_A_RECORD + "no \"schema\" and \"payload\" fields");
        }
        if (record.size() != 2) {
            throw new MalformedChangeEventException(NOT_A_RECORD + "fields other than \"schema\" and \"payload\"");
        }
        JsonNode payload = record.get("payload");
        if (payload.isNull()) {
            return null;
        }
        byte[] schemaJson = JSON.writeValueAsBytes(record.get("schema"));
        EnvelopeSchema schema = null;
        for (EnvelopeSchema candidate : schemas) {
            if (Arrays.equals(candidate.json(), schemaJson)) {
                schema = candidate;
            }
        }
        if (schema == null) {
            schema = EnvelopeSchema.of(schemaJson, record.get("schema"), schemaReader, this::mapping);
            schemas.add(0, schema);
            if (schemas.size() > REMEMBERED_SCHEMAS) {
                schemas.remove(schemas.size() - 1);
            }
        }
        try (JsonParser parser = JSON.treeAsTokens(payload)) {
            parser.nextToken();
            return schema.read(parser);
        }
    }

    /** One mapping per table and row schema, so a delete's before image and an insert's after image share a file. */
    private RowMapping mapping(String table, Schema rowSchema) {
        return mappings.computeIfAbsent(new RowKey(table, rowSchema), key -> RowMapping.of(table, rowSchema));
    }

    private record RowKey(String table, Schema rowSchema) {
    }
}
