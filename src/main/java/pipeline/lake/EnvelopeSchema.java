package pipeline.lake;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

/**
 * What one distinct schema block of a change topic says, worked out once for the many records that
 * repeat it: where the row images, the source block and the operation are in the payload, and how
 * each value is checked and converted.
 */
final class EnvelopeSchema {

    private static final Set<String> OPERATIONS = Set.of("c", "u", "d", "r");

    /** Finds the lake row of a table's row schema, the same one for equal schemas. */
    @FunctionalInterface
    interface Mappings {
        RowMapping of(String table, Schema rowSchema);
    }

    private final byte[] json;
    private final String problem;
    private final JsonField envelope;
    private final Mappings mappings;
    private int before = -1;
    private int after = -1;
    private int source = -1;
    private int op = -1;
    private Schema beforeSchema;
    private Schema afterSchema;
    private int sourceSchema = -1;
    private int sourceTable = -1;
    private int sourceTsMs = -1;
    private int sourceLsn = -1;
    private int sourceTxId = -1;
    private String lastSchemaName;
    private String lastTableName;
    private String lastTable;
    private RowMapping lastBeforeMapping;
    private RowMapping lastAfterMapping;

    private EnvelopeSchema(byte[] json, Schema schema, Mappings mappings) {
        this.json = json;
        this.mappings = mappings;
        String why = null;
        JsonField root = null;
        if (schema == null) {
            why = "not a Debezium envelope: the record has no schema";
        } else if (schema.type() != Schema.Type.STRUCT) {
            why = "value is not a Debezium envelope but " + schema.type();
        } else {
            root = new JsonField("", schema, envelopeReader(schema));
            why = missingParts();
        }
        this.problem = why;
        this.envelope = root;
    }

    /** The schema block's meaning; a block that is no Debezium envelope makes every record with it a bad record. */
    static EnvelopeSchema of(byte[] json, JsonNode schemaNode, org.apache.kafka.connect.json.JsonConverter converter, Mappings mappings) {
        Schema schema;
        try {
            schema = converter.asConnectSchema(schemaNode);
        } catch (org.apache.kafka.connect.errors.DataException e) {
            return new EnvelopeSchema(json, "not a JsonConverter record with schema: " + e.getMessage());
        }
        return new EnvelopeSchema(json, schema, mappings);
    }

    private EnvelopeSchema(byte[] json, String problem) {
        this.json = json;
        this.problem = problem;
        this.envelope = null;
        this.mappings = null;
    }

    /** The schema block exactly as written in the records. */
    byte[] json() {
        return json;
    }

    /** Reads a payload (the parser on its first token); null for a null payload, which is a tombstone. */
    ChangeEvent read(JsonParser payload) throws IOException {
        if (payload.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (envelope == null) {
            throw new MalformedChangeEventException(problem);
        }
        Object[] values = (Object[]) envelope.read(payload);
        if (problem != null) {
            throw new MalformedChangeEventException(problem);
        }
        String operation = (String) values[op];
        if (!OPERATIONS.contains(operation)) {
            throw new MalformedChangeEventException("unknown operation '" + operation + "'");
        }
        boolean delete = operation.equals("d");
        int image = delete ? before : after;
        Object[] row = image < 0 ? null : (Object[]) values[image];
        if (row == null) {
            throw new MalformedChangeEventException("operation '" + operation + "' without a row image");
        }
        Object[] origin = (Object[]) values[source];
        if (origin == null) {
            throw new MalformedChangeEventException("envelope without source block");
        }
        Long commitMs = (Long) origin[sourceTsMs];
        if (commitMs == null) {
            throw new MalformedChangeEventException("source block without ts_ms");
        }
        String table = table((String) origin[sourceSchema], (String) origin[sourceTable]);
        RowMapping mapping = delete ? beforeMapping(table) : afterMapping(table);
        return new ChangeEvent(table, operation, mapping, row, commitMs,
                sourceLsn < 0 ? null : (Long) origin[sourceLsn], sourceTxId < 0 ? null : (Long) origin[sourceTxId]);
    }

    private String table(String schemaName, String tableName) {
        if (!schemaName.equals(lastSchemaName) || !tableName.equals(lastTableName)) {
            lastSchemaName = schemaName;
            lastTableName = tableName;
            lastTable = schemaName + "." + tableName;
            lastBeforeMapping = null;
            lastAfterMapping = null;
        }
        return lastTable;
    }

    private RowMapping beforeMapping(String table) {
        if (lastBeforeMapping == null) {
            lastBeforeMapping = mappings.of(table, beforeSchema);
        }
        return lastBeforeMapping;
    }

    private RowMapping afterMapping(String table) {
        if (lastAfterMapping == null) {
            lastAfterMapping = mappings.of(table, afterSchema);
        }
        return lastAfterMapping;
    }

    private JsonField.Conversion envelopeReader(Schema schema) {
        List<String> names = new ArrayList<>();
        List<JsonField> fields = new ArrayList<>();
        for (Field field : schema.fields()) {
            Schema fieldSchema = field.schema();
            String name = field.name();
            JsonField.Conversion conversion;
            if ((name.equals("before") || name.equals("after")) && fieldSchema.type() == Schema.Type.STRUCT) {
                JsonStruct row = RowMapping.rowReader(fieldSchema, name);
                conversion = (json, self) -> row.read(json);
                if (name.equals("before")) {
                    before = field.index();
                    beforeSchema = fieldSchema;
                } else {
                    after = field.index();
                    afterSchema = fieldSchema;
                }
            } else if (name.equals("source") && fieldSchema.type() == Schema.Type.STRUCT) {
                source = field.index();
                conversion = sourceReader(fieldSchema);
            } else if (name.equals("op") && fieldSchema.type() == Schema.Type.STRING) {
                op = field.index();
                conversion = (json, self) -> json.getText();
            } else {
                conversion = checkOnly(fieldSchema, name);
            }
            names.add(name);
            fields.add(new JsonField(name, fieldSchema, conversion));
        }
        JsonStruct struct = new JsonStruct(names, fields);
        return (json, self) -> struct.read(json);
    }

    private JsonField.Conversion sourceReader(Schema schema) {
        List<String> names = new ArrayList<>();
        List<JsonField> fields = new ArrayList<>();
        for (Field field : schema.fields()) {
            Schema fieldSchema = field.schema();
            String path = "source." + field.name();
            JsonField.Conversion conversion = checkOnly(fieldSchema, path);
            switch (field.name()) {
                case "schema", "table" -> {
                    if (fieldSchema.type() == Schema.Type.STRING) {
                        conversion = (json, self) -> json.getText();
                        if (field.name().equals("schema")) {
                            sourceSchema = field.index();
                        } else {
                            sourceTable = field.index();
                        }
                    }
                }
                case "ts_ms", "lsn", "txId" -> {
                    if (fieldSchema.type() == Schema.Type.INT64) {
                        conversion = (json, self) -> json.getLongValue();
                        switch (field.name()) {
                            case "ts_ms" -> sourceTsMs = field.index();
                            case "lsn" -> sourceLsn = field.index();
                            default -> sourceTxId = field.index();
                        }
                    }
                }
                default -> {
                }
            }
            names.add(field.name());
            fields.add(new JsonField(path, fieldSchema, conversion));
        }
        JsonStruct struct = new JsonStruct(names, fields);
        return (json, self) -> struct.read(json);
    }

    /** A value the lake does not keep, checked all the same: a record JsonConverter reads leniently is a bad record. */
    private static JsonField.Conversion checkOnly(Schema schema, String path) {
        return switch (schema.type()) {
            case STRUCT -> {
                List<String> names = new ArrayList<>();
                List<JsonField> fields = new ArrayList<>();
                for (Field field : schema.fields()) {
                    names.add(field.name());
                    fields.add(
                            new JsonField(path + "." + field.name(), field.schema(), checkOnly(field.schema(), path + "." + field.name())));
                }
                JsonStruct struct = new JsonStruct(names, fields);
                yield (json, self) -> {
                    struct.read(json);
                    return null;
                };
            }
            case ARRAY, MAP -> (json, self) -> {
                JsonValueTypes.check(schema, json.readValueAsTree(), path);
                return null;
            };
            default -> (json, self) -> null;
        };
    }

    private String missingParts() {
        if (op < 0) {
            return "not a Debezium envelope: no string field op";
        }
        if (source < 0) {
            return "envelope without source block";
        }
        if (before < 0 && after < 0) {
            return "not a Debezium envelope: no row image fields before and after";
        }
        if (sourceSchema < 0 || sourceTable < 0) {
            return "not a Debezium envelope: source block without schema and table";
        }
        if (sourceTsMs < 0) {
            return "source block without ts_ms";
        }
        return null;
    }
}
