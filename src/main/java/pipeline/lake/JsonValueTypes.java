package pipeline.lake;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks that each value of a JsonConverter record has the JSON type its schema declares. Kafka
 * Connect's JsonConverter reads a string where an int64 belongs as 0 and a number where a string
 * belongs as null; a change event like that must go to the dead-letter topic, not into the lake.
 */
final class JsonValueTypes {

    private JsonValueTypes() {
    }

    /** Throws {@link MalformedChangeEventException} naming the first value whose JSON type differs from its schema's. */
    static void check(JsonNode schema, JsonNode value, String path) {
        if (value == null || value.isNull()) {
            if (!schema.path("optional").asBoolean(false) && !schema.has("default")) {
                throw mismatch(path, schema, "null");
            }
            return;
        }
        String type = schema.path("type").asText();
        boolean matches = switch (type) {
            case "int8", "int16", "int32", "int64" -> value.isIntegralNumber();
            case "float", "double" -> value.isNumber() || value.isTextual() && isNonFinite(value.textValue());
            case "boolean" -> value.isBoolean();
            case "string", "bytes" -> value.isTextual();
            case "array" -> value.isArray();
            case "map" -> value.isObject() || value.isArray();
            case "struct" -> value.isObject();
            default -> throw new MalformedChangeEventException("unknown schema type '" + type + "' at " + describe(path));
        };
        if (!matches) {
            throw mismatch(path, schema, value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (type.equals("struct")) {
            for (JsonNode field : schema.path("fields")) {
                String name = field.path("field").asText();
                check(field, value.get(name), path.isEmpty() ? name : path + "." + name);
            }
        } else if (type.equals("array")) {
            for (JsonNode item : value) {
                check(schema.path("items"), item, path + "[]");
            }
        }
    }

    /** JsonConverter's spelling of a NaN or infinite double. */
    private static boolean isNonFinite(String text) {
        return text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
    }

    private static MalformedChangeEventException mismatch(String path, JsonNode schema, String found) {
        return new MalformedChangeEventException(describe(path) + " should be " + schema.path("type").asText()
                + (schema.path("optional").asBoolean(false) ? " or null" : "") + " but is " + found);
    }

    private static String describe(String path) {
        return path.isEmpty() ? "the payload" : "field " + path;
    }
}
