package pipeline.lake;

import java.io.IOException;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import org.apache.kafka.connect.data.Schema;

/**
 * One value of a JsonConverter payload as its Kafka Connect schema declares it: the JSON type it
 * must have and what it becomes. JsonConverter itself reads wrong types leniently (a string where
 * an int64 belongs as 0, a number where a string belongs as null); here they are refused, naming
 * the field, so the record goes to the dead-letter topic instead of into the lake.
 */
final class JsonField {

    /** Turns a value whose JSON type was checked into its lake form; the parser is on its first token. */
    @FunctionalInterface
    interface Conversion {
        Object convert(JsonParser json, JsonField field) throws IOException;
    }

    private final String path;
    private final Schema schema;
    private final Conversion conversion;

    JsonField(String path, Schema schema, Conversion conversion) {
        this.path = path;
        this.schema = schema;
        this.conversion = conversion;
    }

    Schema schema() {
        return schema;
    }

    String path() {
        return path;
    }

    /** Reads the value the parser is on; a JSON null is null, allowed where the schema is optional or has a default. */
    Object read(JsonParser json) throws IOException {
        JsonToken token = json.currentToken();
        if (token == JsonToken.VALUE_NULL) {
            absent();
            return null;
        }
        if (!matches(schema.type(), token, json)) {
            throw mismatch(path, schema, kind(token));
        }
        return conversion.convert(json, this);
    }

    /** Checks that the value may be missing or null. */
    void absent() {
        if (!schema.isOptional() && schema.defaultValue() == null) {
            throw mismatch(path, schema, "null");
        }
    }

    /** A value of the declared JSON type that cannot be what the schema says (a bad date, invalid base64...). */
    MalformedChangeEventException invalid(String reason) {
        return new MalformedChangeEventException(describe(path) + ": " + reason);
    }

    private static boolean matches(Schema.Type type, JsonToken token, JsonParser json) throws IOException {
        return switch (type) {
            case INT8, INT16, INT32, INT64 -> token == JsonToken.VALUE_NUMBER_INT;
            case FLOAT32, FLOAT64 -> token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT
                    || token == JsonToken.VALUE_STRING && isNonFinite(json.getText());
            case BOOLEAN -> token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE;
            case STRING, BYTES -> token == JsonToken.VALUE_STRING;
            case ARRAY -> token == JsonToken.START_ARRAY;
            case MAP -> token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
            case STRUCT -> token == JsonToken.START_OBJECT;
        };
    }

    /** JsonConverter's spelling of a NaN or infinite double. */
    static boolean isNonFinite(String text) {
        return text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
    }

    static MalformedChangeEventException mismatch(String path, Schema schema, String found) {
        return new MalformedChangeEventException(describe(path) + " should be " + typeName(schema.type())
                + (schema.isOptional() ? " or null" : "") + " but is " + found);
    }

    /** The schema type as JsonConverter's schema block names it. */
    private static String typeName(Schema.Type type) {
        return switch (type) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            default -> type.getName();
        };
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            default -> token.name().toLowerCase(Locale.ROOT);
        };
    }

    static String describe(String path) {
        return path.isEmpty() ? "the payload" : "field " + path;
    }
}
