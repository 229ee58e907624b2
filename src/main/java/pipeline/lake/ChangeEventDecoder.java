package pipeline.lake;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import pipeline.config.RootCause;

/** Reads a Debezium envelope written by Kafka Connect's JsonConverter with schemas enabled. */
public final class ChangeEventDecoder {

    private static final Set<String> OPERATIONS = Set.of("c", "u", "d", "r");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonConverter converter = new JsonConverter();

    public ChangeEventDecoder() {
        converter.configure(Map.of("schemas.enable", "true"), false);
    }

    /** Returns the event, or null for a tombstone (a null value). */
    public ChangeEvent decode(String topic, byte[] value) {
        if (value == null) {
            return null;
        }
        // parsed once more than JsonConverter does, for what it reads leniently: wrong types, NaN and infinities (written as text)
        JsonNode record;
        try {
            record = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeEventException("not a JsonConverter record with schema: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new MalformedChangeEventException("not a JsonConverter record with schema: " + e.getMessage(), e);
        }
        if (record == null || !record.isObject() || !record.has("schema") || !record.has("payload")) {
            throw new MalformedChangeEventException("not a JsonConverter record with schema: no \"schema\" and \"payload\" fields");
        }
        if (record.get("payload").isNull()) {
            return null;
        }
        JsonValueTypes.check(record.get("schema"), record.get("payload"), "");
        SchemaAndValue envelope;
        try {
            envelope = converter.toConnectData(topic, value);
        } catch (DataException e) {
            throw new MalformedChangeEventException("not a JsonConverter record with schema: " + rootMessage(e), e);
        }
        if (envelope.value() == null) {
            return null;
        }
        if (!(envelope.value() instanceof Struct struct)) {
            throw new MalformedChangeEventException("value is not a Debezium envelope but " + envelope.value().getClass().getSimpleName());
        }
        try {
            restoreNonFiniteNumbers(struct, record.get("payload"));
            return fromEnvelope(struct);
        } catch (DataException | ClassCastException e) {
            throw new MalformedChangeEventException("not a Debezium envelope: " + rootMessage(e), e);
        }
    }

    /** JsonConverter writes a NaN or infinite double as "NaN", "Infinity" or "-Infinity" and reads that back as 0.0. */
    private static void restoreNonFiniteNumbers(Struct envelope, JsonNode payload) {
        for (String image : List.of("before", "after")) {
            Struct row = envelope.schema().field(image) == null ? null : envelope.getStruct(image);
            if (row == null) {
                continue;
            }
            for (Field column : row.schema().fields()) {
                Schema.Type type = column.schema().type();
                JsonNode written = payload.path(image).path(column.name());
                if ((type == Schema.Type.FLOAT64 || type == Schema.Type.FLOAT32) && written.isTextual()) {
                    double number = Double.parseDouble(written.textValue());
                    row.put(column, type == Schema.Type.FLOAT32 ? (Object) (float) number : (Object) number);
                }
            }
        }
    }

    private static ChangeEvent fromEnvelope(Struct envelope) {
        String op = envelope.getString("op");
        if (!OPERATIONS.contains(op)) {
            throw new MalformedChangeEventException("unknown operation '" + op + "'");
        }
        Struct row = "d".equals(op) ? envelope.getStruct("before") : envelope.getStruct("after");
        if (row == null) {
            throw new MalformedChangeEventException("operation '" + op + "' without a row image");
        }
        Struct source = envelope.getStruct("source");
        if (source == null) {
            throw new MalformedChangeEventException("envelope without source block");
        }
        String table = source.getString("schema") + "." + source.getString("table");
        return new ChangeEvent(table, op, row, row.schema(), source.getInt64("ts_ms"),
                optionalLong(source, "lsn"), optionalLong(source, "txId"));
    }

    private static String rootMessage(Throwable e) {
        Throwable root = RootCause.of(e);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static Long optionalLong(Struct source, String name) {
        Field field = source.schema().field(name);
        if (field == null || field.schema().type() != Schema.Type.INT64) {
            return null;
        }
        return source.getInt64(name);
    }

}
