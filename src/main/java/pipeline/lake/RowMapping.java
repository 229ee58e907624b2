package pipeline.lake;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.LogicalTypes;
import org.apache.avro.NameValidator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/**
 * The lake's row for one table schema: the Avro schema derived from the Kafka Connect row schema
 * plus the change metadata columns, and the conversion of a change event into such a row.
 * Values are kept in Avro's raw form (micros as long, decimals as unscaled bytes), which is what
 * Parquet stores, so no conversion layer is needed when writing.
 */
public final class RowMapping {

    static final String OP = "__op";
    static final String DELETED = "__deleted";
    static final String SOURCE_TS_MS = "__source_ts_ms";
    static final String LSN = "__lsn";
    static final String TXID = "__txid";
    static final String KAFKA_PARTITION = "__kafka_partition";
    static final String KAFKA_OFFSET = "__kafka_offset";

    private static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    private static final String MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    private static final String NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    private static final String MILLI_TIMESTAMP = "io.debezium.time.Timestamp";
    private static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";
    private static final String DEBEZIUM_DATE = "io.debezium.time.Date";
    private static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
    private static final String MICRO_TIME = "io.debezium.time.MicroTime";
    private static final String MILLI_TIME = "io.debezium.time.Time";
    private static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    private static final String DECIMAL_PRECISION = "connect.decimal.precision";
    private static final int MAX_DECIMAL_PRECISION = 38;

    private final org.apache.kafka.connect.data.Schema connectSchema;
    private final Schema avroSchema;
    private final List<ColumnConverter> converters;

    private RowMapping(org.apache.kafka.connect.data.Schema connectSchema, Schema avroSchema, List<ColumnConverter> converters) {
        this.connectSchema = connectSchema;
        this.avroSchema = avroSchema;
        this.converters = converters;
    }

    /** Derives the lake row of a table from the Kafka Connect schema of its row image. */
    public static RowMapping of(String table, org.apache.kafka.connect.data.Schema rowSchema) {
        // Postgres and Parquet accept any column name ("distance km", "1st"); Avro's naming rule would
        // refuse them, and every change of such a table would go to the dead-letter topic
        NameValidator avroRule = Schema.getNameValidator();
        Schema.setNameValidator(NameValidator.NO_VALIDATION);
        try {
            return build(table, rowSchema);
        } finally {
            Schema.setNameValidator(avroRule);
        }
    }

    private static RowMapping build(String table, org.apache.kafka.connect.data.Schema rowSchema) {
        List<Schema.Field> fields = new ArrayList<>();
        List<ColumnConverter> converters = new ArrayList<>();
        for (Field column : rowSchema.fields()) {
            Column mapped = mapColumn(column.schema());
            fields.add(new Schema.Field(column.name(), nullable(mapped.avroType()), null, Schema.Field.NULL_DEFAULT_VALUE));
            converters.add(mapped.converter());
        }
        fields.add(new Schema.Field(OP, Schema.create(Schema.Type.STRING)));
        fields.add(new Schema.Field(DELETED, Schema.create(Schema.Type.BOOLEAN)));
        fields.add(new Schema.Field(SOURCE_TS_MS, Schema.create(Schema.Type.LONG)));
        fields.add(new Schema.Field(LSN, nullable(Schema.create(Schema.Type.LONG)), null, Schema.Field.NULL_DEFAULT_VALUE));
        fields.add(new Schema.Field(TXID, nullable(Schema.create(Schema.Type.LONG)), null, Schema.Field.NULL_DEFAULT_VALUE));
        fields.add(new Schema.Field(KAFKA_PARTITION, Schema.create(Schema.Type.INT)));
        fields.add(new Schema.Field(KAFKA_OFFSET, Schema.create(Schema.Type.LONG)));
        String recordName = table.replaceAll("[^A-Za-z0-9_]", "_");
        Schema avro = Schema.createRecord(recordName, null, "trip_pipeline.raw", false, fields);
        return new RowMapping(rowSchema, avro, List.copyOf(converters));
    }

    public Schema avroSchema() {
        return avroSchema;
    }

    public GenericRecord toRecord(ChangeEvent event, int kafkaPartition, long kafkaOffset) {
        GenericData.Record record = new GenericData.Record(avroSchema);
        Struct row = event.row();
        List<Field> columns = connectSchema.fields();
        for (int i = 0; i < columns.size(); i++) {
            Object value = row.get(columns.get(i));
            record.put(i, value == null ? null : converters.get(i).convert(value));
        }
        int meta = columns.size();
        record.put(meta, event.op());
        record.put(meta + 1, event.isDelete());
        record.put(meta + 2, event.sourceTsMs());
        record.put(meta + 3, event.lsn());
        record.put(meta + 4, event.txId());
        record.put(meta + 5, kafkaPartition);
        record.put(meta + 6, kafkaOffset);
        return record;
    }

    @FunctionalInterface
    private interface ColumnConverter {
        Object convert(Object connectValue);
    }

    private record Column(Schema avroType, ColumnConverter converter) {
    }

    private static Column mapColumn(org.apache.kafka.connect.data.Schema schema) {
        String name = schema.name() == null ? "" : schema.name();
        switch (schema.type()) {
            case INT8:
            case INT16:
                return new Column(Schema.create(Schema.Type.INT), v -> ((Number) v).intValue());
            case INT32:
                if (DEBEZIUM_DATE.equals(name)) {
                    return new Column(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)), v -> v);
                }
                if (MILLI_TIME.equals(name)) {
                    return new Column(LogicalTypes.timeMillis().addToSchema(Schema.create(Schema.Type.INT)), v -> v);
                }
                if (CONNECT_DATE.equals(name)) {
                    return new Column(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)),
                            v -> (int) (((java.util.Date) v).getTime() / 86_400_000L));
                }
                return new Column(Schema.create(Schema.Type.INT), v -> v);
            case INT64:
                switch (name) {
                    case MICRO_TIMESTAMP:
                        return new Column(localTimestampMicros(), v -> v);
                    case MILLI_TIMESTAMP:
                        return new Column(localTimestampMicros(), v -> Math.multiplyExact((Long) v, 1000L));
                    case NANO_TIMESTAMP:
                        return new Column(localTimestampMicros(), v -> Math.floorDiv((Long) v, 1000L));
                    case MICRO_TIME:
                        return new Column(LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG)), v -> v);
                    case CONNECT_TIMESTAMP:
                        return new Column(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)),
                                v -> Math.multiplyExact(((java.util.Date) v).getTime(), 1000L));
                    default:
                        return new Column(Schema.create(Schema.Type.LONG), v -> v);
                }
            case FLOAT32:
                return new Column(Schema.create(Schema.Type.FLOAT), v -> v);
            case FLOAT64:
                return new Column(Schema.create(Schema.Type.DOUBLE), v -> v);
            case BOOLEAN:
                return new Column(Schema.create(Schema.Type.BOOLEAN), v -> v);
            case STRING:
                if (ZONED_TIMESTAMP.equals(name)) {
                    return new Column(LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG)),
                            v -> epochMicros((String) v));
                }
                return new Column(Schema.create(Schema.Type.STRING), v -> v);
            case BYTES:
                if (Decimal.LOGICAL_NAME.equals(name)) {
                    return decimalColumn(schema.parameters());
                }
                return new Column(Schema.create(Schema.Type.BYTES), v -> v instanceof byte[] b ? ByteBuffer.wrap(b) : v);
            case STRUCT:
                if (VARIABLE_SCALE_DECIMAL.equals(name)) {
                    return new Column(Schema.create(Schema.Type.STRING), v -> variableScaleDecimal((Struct) v).toPlainString());
                }
                return new Column(Schema.create(Schema.Type.STRING), Object::toString);
            default:
                return new Column(Schema.create(Schema.Type.STRING), Object::toString);
        }
    }

    private static Column decimalColumn(Map<String, String> parameters) {
        int scale = Integer.parseInt(parameters.get(Decimal.SCALE_FIELD));
        String declaredPrecision = parameters.get(DECIMAL_PRECISION);
        int precision = declaredPrecision == null ? MAX_DECIMAL_PRECISION : Integer.parseInt(declaredPrecision);
        Schema avro = LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
        return new Column(avro, v -> ByteBuffer.wrap(((BigDecimal) v).setScale(scale).unscaledValue().toByteArray()));
    }

    private static Schema localTimestampMicros() {
        return LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    }

    private static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    static long epochMicros(String isoOffsetDateTime) {
        Instant instant = OffsetDateTime.parse(isoOffsetDateTime, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static BigDecimal variableScaleDecimal(Struct value) {
        return new BigDecimal(new java.math.BigInteger(value.getBytes("value")), value.getInt32("scale"));
    }
}
