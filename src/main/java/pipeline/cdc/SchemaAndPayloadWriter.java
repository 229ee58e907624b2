package pipeline.cdc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.kafka.connect.data.ConnectSchema;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonSerializer;

/**
 * Writes a Connect value and its schema as {"schema":…,"payload":…} exactly as Kafka Connect's
 * JsonConverter with schemas enabled does, but serializes each schema once instead of every time.
 */
final class SchemaAndPayloadWriter {

    /** JsonConverter's default schemas.cache.size: both caches then forget schemas alike. */
    private static final int SCHEMA_CACHE_SIZE = 1000;
    /** A rare huge record should not pin its buffer for the life of the writer. */
    private static final int RETAINED_BUFFER_BYTES = 1 << 20;
    private static final int INITIAL_BUFFER_BYTES = 8 << 10;
    private static final byte[] SCHEMA_START = bytes("{\"schema\":");
    private static final byte[] PAYLOAD_START = bytes(",\"payload\":");
    private static final byte[] SCHEMALESS_START = bytes("{\"schema\":null,\"payload\":");
    private static final int ENVELOPE_END = '}';
    /** The JsonConverter whose output this is, byte for byte. */
    static final Map<String, String> CONVERTER_SETTINGS = Map.of("schemas.enable", "true", "replace.null.with.default", "false");

    // The schema part comes from JsonConverter itself, once per schema; only its payload rules
    // (convertToJson in connect-json 3.9.1, with decimal.format=BASE64 and
    // replace.null.with.default=false) are written again here.
    private final JsonConverter schemaConverter = new JsonConverter();
    private final JsonSerializer schemaSerializer = new JsonSerializer();
    /** Default settings, as JsonConverter's ObjectMapper has: numbers and string escapes come out the same. */
    private final JsonFactory jsonFactory = new JsonFactory();
    /**
     * Keyed by Schema equality like JsonConverter's own cache, so that equal schemas whose JSON
     * differs (parameters put in another order) come out alike from both. ConnectSchema caches its
     * hash and compares by identity first: the schema Debezium reuses for a table costs one lookup.
     */
    private final Map<Schema, byte[]> envelopeStartBySchema = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Schema, byte[]> eldest) {
            return size() > SCHEMA_CACHE_SIZE;
        }
    };
    private ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);

    /** @param forKeys whether it writes record keys, as JsonConverter's isKey */
    SchemaAndPayloadWriter(boolean forKeys) {
        schemaConverter.configure(CONVERTER_SETTINGS, forKeys);
    }

    /**
     * The JSON of the value with its schema, or null when both are null (a tombstone). Synchronized,
     * so safe for concurrent use at next to no cost on the single thread that normally calls it.
     */
    synchronized byte[] write(Schema schema, Object value) {
        if (schema == null && value == null) {
            return null;
        }
        buffer.reset();
        buffer.writeBytes(envelopeStart(schema));
        try (JsonGenerator generator = jsonFactory.createGenerator(buffer)) {
            writePayload(generator, schema, value);
        } catch (IOException e) {
            throw new DataException("Converting Kafka Connect data to byte[] failed due to serialization error: ", e);
        }
        buffer.write(ENVELOPE_END);
        byte[] json = buffer.toByteArray();
        if (buffer.size() > RETAINED_BUFFER_BYTES) {
            buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);
        }
        return json;
    }

    private byte[] envelopeStart(Schema schema) {
        if (schema == null) {
            return SCHEMALESS_START;
        }
        byte[] start = envelopeStartBySchema.get(schema);
        if (start == null) {
            byte[] schemaJson = schemaSerializer.serialize(null, schemaConverter.asJsonSchema(schema));
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            joined.writeBytes(SCHEMA_START);
            joined.writeBytes(schemaJson);
            joined.writeBytes(PAYLOAD_START);
            start = joined.toByteArray();
            envelopeStartBySchema.put(schema, start);
        }
        return start;
    }

    private static void writePayload(JsonGenerator out, Schema schema, Object value) throws IOException {
        if (value == null) {
            writeNull(out, schema);
            return;
        }
        Object logical = logicalTypeJson(schema, value);
        if (logical instanceof byte[] bytes) {
            out.writeBinary(bytes);
            return;
        }
        if (logical instanceof Integer dateOrTime) {
            out.writeNumber(dateOrTime);
            return;
        }
        if (logical instanceof Long timestamp) {
            out.writeNumber(timestamp);
            return;
        }
        Schema.Type type = schema != null ? schema.type() : ConnectSchema.schemaType(value.getClass());
        if (type == null) {
            throw new DataException("Java class " + value.getClass() + " does not have corresponding schema type.");
        }
        try {
            switch (type) {
                case INT8 -> out.writeNumber((int) (Byte) value);
                case INT16 -> out.writeNumber((Short) value);
                case INT32 -> out.writeNumber((Integer) value);
                case INT64 -> out.writeNumber((Long) value);
                case FLOAT32 -> out.writeNumber((Float) value);
                case FLOAT64 -> out.writeNumber((Double) value);
                case BOOLEAN -> out.writeBoolean((Boolean) value);
                case STRING -> out.writeString(((CharSequence) value).toString());
                case BYTES -> writeBytes(out, value);
                case ARRAY -> writeArray(out, schema, (Collection<?>) value);
                case MAP -> writeMap(out, schema, (Map<?, ?>) value);
                case STRUCT -> writeStruct(out, schema, (Struct) value);
            }
        } catch (ClassCastException e) {
            throw new DataException("Invalid type for " + (schema != null ? schema.type() : "unknown schema") + ": " + value.getClass());
        }
    }

    /**
     * A null stays null (replace.null.with.default=false): with JsonConverter's default, a nullable
     * column with a DEFAULT would be written as its default, and the lake would hold a value the row
     * never had. Debezium gives every non-nullable column a value.
     */
    private static void writeNull(JsonGenerator out, Schema schema) throws IOException {
        if (schema != null && !schema.isOptional()) {
            throw new DataException("Conversion error: null value for field that is required and has no default value");
        }
        out.writeNull();
    }

    /**
     * JsonConverter picks a logical type by schema name alone, whatever the schema's type: the
     * unscaled bytes of a Decimal, the int of a Date or Time, the long of a Timestamp; null when the
     * schema names no logical type.
     */
    private static Object logicalTypeJson(Schema schema, Object value) {
        String name = schema == null ? null : schema.name();
        if (name == null) {
            return null;
        }
        if (name.equals(Decimal.LOGICAL_NAME)) {
            if (!(value instanceof BigDecimal decimal)) {
                throw new DataException("Invalid type for Decimal, expected BigDecimal but was " + value.getClass());
            }
            return Decimal.fromLogical(schema, decimal);
        }
        if (name.equals(Date.LOGICAL_NAME)) {
            return Date.fromLogical(schema, utilDate(value, "Date"));
        }
        if (name.equals(Time.LOGICAL_NAME)) {
            return Time.fromLogical(schema, utilDate(value, "Time"));
        }
        if (name.equals(Timestamp.LOGICAL_NAME)) {
            return Timestamp.fromLogical(schema, utilDate(value, "Timestamp"));
        }
        return null;
    }

    private static java.util.Date utilDate(Object value, String logicalType) {
        if (!(value instanceof java.util.Date date)) {
            throw new DataException("Invalid type for " + logicalType + ", expected Date but was " + value.getClass());
        }
        return date;
    }

    private static void writeBytes(JsonGenerator out, Object value) throws IOException {
        if (value instanceof byte[] bytes) {
            out.writeBinary(bytes);
        } else if (value instanceof ByteBuffer bytes) {
            // the whole backing array, as JsonConverter writes it: position, limit and offset are ignored
            out.writeBinary(bytes.array());
        } else {
            throw new DataException("Invalid type for bytes type: " + value.getClass());
        }
    }

    private static void writeArray(JsonGenerator out, Schema schema, Collection<?> elements) throws IOException {
        Schema elementSchema = schema == null ? null : schema.valueSchema();
        out.writeStartArray();
        for (Object element : elements) {
            writePayload(out, elementSchema, element);
        }
        out.writeEndArray();
    }

    /** A map with string keys becomes a JSON object, any other an array of [key, value] pairs. */
    private static void writeMap(JsonGenerator out, Schema schema, Map<?, ?> map) throws IOException {
        Schema keySchema = schema == null ? null : schema.keySchema();
        Schema valueSchema = schema == null ? null : schema.valueSchema();
        boolean stringKeys = schema == null
                ? map.keySet().stream().allMatch(key -> key instanceof String)
                : keySchema.type() == Schema.Type.STRING;
        if (stringKeys) {
            writeMapAsObject(out, keySchema, valueSchema, map);
        } else {
            out.writeStartArray();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.writeStartArray();
                writePayload(out, keySchema, entry.getKey());
                writePayload(out, valueSchema, entry.getValue());
                out.writeEndArray();
            }
            out.writeEndArray();
        }
    }

    /**
     * Distinct keys can share a text (a null key and "null", two equal StringBuilders): JsonConverter
     * gathers the entries in an ObjectNode, where such a key keeps its first place and its last value.
     */
    private static void writeMapAsObject(JsonGenerator out, Schema keySchema, Schema valueSchema, Map<?, ?> map)
            throws IOException {
        Map<String, Object> valueByKeyText = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            valueByKeyText.put(keyText(keySchema, entry.getKey()), entry.getValue());
        }
        out.writeStartObject();
        for (Map.Entry<String, Object> entry : valueByKeyText.entrySet()) {
            out.writeFieldName(entry.getKey());
            writePayload(out, valueSchema, entry.getValue());
        }
        out.writeEndObject();
    }

    /** The text of the JSON node JsonConverter makes of a string-schema key (JsonNode.asText()). */
    private static String keyText(Schema keySchema, Object key) {
        if (keySchema == null) {
            return (String) key;
        }
        if (key == null) {
            if (!keySchema.isOptional()) {
                throw new DataException("Conversion error: null value for field that is required and has no default value");
            }
            return "null";
        }
        Object logical = logicalTypeJson(keySchema, key);
        if (logical instanceof byte[] bytes) {
            return Base64Variants.getDefaultVariant().encode(bytes);
        }
        if (logical != null) {
            return logical.toString();
        }
        if (!(key instanceof CharSequence text)) {
            throw new DataException("Invalid type for STRING: " + key.getClass());
        }
        return text.toString();
    }

    private static void writeStruct(JsonGenerator out, Schema schema, Struct struct) throws IOException {
        if (!struct.schema().equals(schema)) {
            throw new DataException("Mismatching schema.");
        }
        out.writeStartObject();
        for (Field field : schema.fields()) {
            out.writeFieldName(field.name());
            // get(field) puts a field's default in place of a null, which JsonConverter's getWithoutDefault keeps
            Object value = field.schema().defaultValue() == null ? struct.get(field) : struct.getWithoutDefault(field.name());
            writePayload(out, field.schema(), value);
        }
        out.writeEndObject();
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }
}
