package pipeline.lake;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * A JSON object read field by field as its struct schema declares: each known field through its
 * {@link JsonField}, unknown ones skipped (as JsonConverter ignores them), missing ones treated
 * as null. JsonConverter writes the fields in schema order, so the next expected field is tried
 * before the name lookup.
 */
final class JsonStruct {

    private final JsonField[] fields;
    private final String[] names;
    private final Map<String, Integer> positions = new HashMap<>();

    JsonStruct(List<String> names, List<JsonField> fields) {
        this.names = names.toArray(String[]::new);
        this.fields = fields.toArray(JsonField[]::new);
        for (int i = 0; i < this.names.length; i++) {
            positions.put(this.names[i], i);
        }
    }

    int size() {
        return fields.length;
    }

    /** Reads the object the parser is on (START_OBJECT) into one value per field, in schema order; leaves the parser on its END_OBJECT. */
    Object[] read(JsonParser json) throws IOException {
        Object[] values = new Object[fields.length];
        long seen = 0;
        boolean[] seenBeyond64 = fields.length > 64 ? new boolean[fields.length] : null;
        int expected = 0;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String name = json.currentName();
            json.nextToken();
            int position;
            if (expected < names.length && names[expected].equals(name)) {
                position = expected;
            } else {
                Integer known = positions.get(name);
                if (known == null) {
                    json.skipChildren();
                    continue;
                }
                position = known;
            }
            expected = position + 1;
            values[position] = fields[position].read(json);
            if (position < 64) {
                seen |= 1L << position;
            } else {
                seenBeyond64[position] = true;
            }
        }
        for (int i = 0; i < fields.length; i++) {
            boolean present = i < 64 ? (seen & (1L << i)) != 0 : seenBeyond64[i];
            if (!present) {
                fields[i].absent();
            }
        }
        return values;
    }
}
