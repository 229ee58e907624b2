package pipeline.lake;

import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * Checks that each value of a nested JsonConverter value (an array, a map, a struct inside a
 * column) has the JSON type its schema declares, the way {@link JsonField} checks a flat one.
 */
final class JsonValueTypes {

    private JsonValueTypes() {
    }

    /** Throws {@link MalformedChangeEventException} naming the first value whose JSON type differs from its schema's. */
    static void check(Schema schema, JsonNode value, String path) {
        if (value == null || value.isNull()) {
            if (!schema.isOptional() && schema.defaultValue() == null) {
                throw JsonField.mismatch(path, schema, "null");
            }
            return;
        }
        boolean matches = switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> value.isIntegralNumber();
            case FLOAT32, FLOAT64 -> value.isNumber() || value.isTextual() && JsonField.isNonFinite(value.textValue());
            case BOOLEAN -> value.isBoolean();
            case STRING, BYTES -> value.isTextual();
            case ARRAY -> value.isArray();
            case MAP -> schema.keySchema().type() == Schema.Type.STRING ? value.isObject() : value.isArray();
            case STRUCT -> value.isObject();
        };
        if (!matches) {
            throw JsonField.mismatch(path, schema, value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        switch (schema.type()) {
            case STRUCT -> {
                for (Field field : schema.fields()) {
                    check(field.schema(), value.get(field.name()), path + "." + field.name());
                }
            }
            case ARRAY -> {
                for (JsonNode item : value) {
                    check(schema.valueSchema(), item, path + "[]");
                }
            }
            case MAP -> {
                if (value.isObject()) {
                    value.fields().forEachRemaining(entry -> check(schema.valueSchema(), entry.getValue(), path + "." + entry.getKey()));
                } else {
                    for (JsonNode entry : value) {
                        if (!entry.isArray() || entry.size() != 2) {
                            throw new MalformedChangeEventException(JsonField.describe(path) + " should be a map of [key, value] pairs");
                        }
                        check(schema.keySchema(), entry.get(0), path + "{}");
                        check(schema.valueSchema(), entry.get(1), path + "[]");
                    }
                }
            }
            default -> {
            }
        }
    }
}
