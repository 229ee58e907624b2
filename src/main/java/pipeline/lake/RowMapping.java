package pipeline.lake;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.NameValidator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;

/**
 * The lake's row for one table schema: the Avro schema derived from the Kafka Connect row schema
 * plus the change columns ({@link LakeFormat}), and how each column's JSON value becomes its lake
 * value. Values are kept in Avro's raw form (micros as long, decimals as unscaled bytes), which is
 * what Parquet stores, so no conversion layer is needed when writing.
 */
public final class RowMapping {

    private static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    private static final String MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    private static final String NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    private static final String MILLI_TIMESTAMP = "io.debezium.time.Timestamp";
    private static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";
    private static final String DEBEZIUM_DATE = "io.debezium.time.Date";
    private static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
    private static final String MICRO_TIME = "io.debezium.time.MicroTime";
    private static final String MILLI_TIME = "io.debezium.time.Time";
    private static final String CONNECT_TIME = "org.apache.kafka.connect.data.Time";
    private static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    private static final String DECIMAL_PRECISION = "connect.decimal.precision";
    private static final int MAX_DECIMAL_PRECISION = 38;
    // Debezium's stand-ins for PostgreSQL's infinite timestamps: the driver's infinity constants
    // (PGStatement.DATE_POSITIVE_INFINITY and DATE_NEGATIVE_INFINITY, milliseconds) read as microseconds,
    // then given in the column's unit
    private static final long PG_INFINITY = 9_223_372_036_825_200_000L;
    private static final long PG_MINUS_INFINITY = -9_223_372_036_832_400_000L;
    private static final long PG_INFINITY_MILLIS = PG_INFINITY / 1000;
    private static final long PG_MINUS_INFINITY_MILLIS = PG_MINUS_INFINITY / 1000;
    /** Debezium's 'infinity' date: -5877611-06-21 up to 3.4 (debezium/dbz#2524), +5877611-06-21 after it. */
    private static final long DEBEZIUM_INFINITY_DAYS = -2_147_472_692L;
    private static final long DEBEZIUM_INFINITY_DAYS_FIXED = 2_146_033_979L;
    /** -5877611-06-22. */
    private static final long DEBEZIUM_MINUS_INFINITY_DAYS = -2_147_472_691L;

    private final org.apache.kafka.connect.data.Schema connectSchema;
    private final Schema avroSchema;
    private final Map<String, Integer> positions = new HashMap<>();

    private RowMapping(org.apache.kafka.connect.data.Schema connectSchema, Schema avroSchema) {
        this.connectSchema = connectSchema;
        this.avroSchema = avroSchema;
        List<Field> fields = connectSchema.fields();
        for (int i = 0; i < fields.size(); i++) {
            positions.put(fields.get(i).name(), i);
        }
    }

    /** Derives the lake row of a table from the Kafka Connect schema of its row image. */
    public static RowMapping of(String table, org.apache.kafka.connect.data.Schema rowSchema) {
        // Postgres and Parquet accept any column name ("distance km", "1st"); Avro's naming rule would
        // refuse them, and every change of such a table would go to the dead-letter topic
        NameValidator avroRule = Schema.getNameValidator();
        Schema.setNameValidator(NameValidator.NO_VALIDATION);
        try {
            List<Schema.Field> fields = new ArrayList<>();
            for (Field column : rowSchema.fields()) {
                fields.add(new Schema.Field(column.name(), LakeFormat.nullable(mapColumn(column.schema()).avroType()), null,
                        Schema.Field.NULL_DEFAULT_VALUE));
            }
            LakeFormat.addChangeColumns(fields);
            String recordName = table.replaceAll("[^A-Za-z0-9_]", "_");
            return new RowMapping(rowSchema, Schema.createRecord(recordName, null, "trip_pipeline.raw", false, fields));
        } finally {
            Schema.setNameValidator(avroRule);
        }
    }

    /**
     * Reads a row image of this Kafka Connect schema (the parser on its START_OBJECT) into the
     * table's column values in lake form; {@code path} names the image in errors ("after").
     */
    static JsonStruct rowReader(org.apache.kafka.connect.data.Schema rowSchema, String path) {
        List<String> names = new ArrayList<>();
        List<JsonField> columns = new ArrayList<>();
        for (Field column : rowSchema.fields()) {
            names.add(column.name());
            columns.add(new JsonField(path + "." + column.name(), column.schema(), mapColumn(column.schema()).conversion()));
        }
        return new JsonStruct(names, columns);
    }

    public Schema avroSchema() {
        return avroSchema;
    }

    org.apache.kafka.connect.data.Schema connectSchema() {
        return connectSchema;
    }

    /** The position of a table column in the row, or -1. */
    int position(String column) {
        Integer position = positions.get(column);
        return position == null ? -1 : position;
    }

    /** The Avro logical type of a table column (null for plain types). */
    LogicalType logicalType(int position) {
        return avroSchema.getFields().get(position).schema().getTypes().get(1).getLogicalType();
    }

    public GenericRecord toRecord(ChangeEvent event, int kafkaPartition, long kafkaOffset) {
        GenericData.Record record = new GenericData.Record(avroSchema);
        Object[] row = event.row();
        for (int i = 0; i < row.length; i++) {
            record.put(i, row[i]);
        }
        int change = row.length;
        record.put(change, event.op());
        record.put(change + 1, event.isDelete());
        record.put(change + 2, event.sourceTsMs());
        record.put(change + 3, event.lsn());
        record.put(change + 4, event.txId());
        record.put(change + 5, kafkaPartition);
        record.put(change + 6, kafkaOffset);
        return record;
    }

    private record Column(Schema avroType, JsonField.Conversion conversion) {
    }

    private static Column mapColumn(org.apache.kafka.connect.data.Schema schema) {
        String name = schema.name() == null ? "" : schema.name();
        Schema intType = Schema.create(Schema.Type.INT);
        Schema longType = Schema.create(Schema.Type.LONG);
        return switch (schema.type()) {
            case INT8 -> new Column(intType, (json, field) -> intIn(json, field, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case INT16 -> new Column(intType, (json, field) -> intIn(json, field, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> switch (name) {
                case DEBEZIUM_DATE -> new Column(LogicalTypes.date().addToSchema(intType), RowMapping::debeziumDate);
                case CONNECT_DATE -> new Column(LogicalTypes.date().addToSchema(intType), RowMapping::int32);
                case MILLI_TIME, CONNECT_TIME -> new Column(LogicalTypes.timeMillis().addToSchema(intType), RowMapping::int32);
                default -> new Column(intType, RowMapping::int32);
            };
            case INT64 -> switch (name) {
                case MICRO_TIMESTAMP -> new Column(localTimestampMicros(), (json, field) -> infiniteOr(int64(json, field), PG_INFINITY,
                        PG_MINUS_INFINITY, 1L, field));
                case MILLI_TIMESTAMP -> new Column(localTimestampMicros(), (json, field) -> infiniteOr(int64(json, field),
                        PG_INFINITY_MILLIS, PG_MINUS_INFINITY_MILLIS, 1000L, field));
                case NANO_TIMESTAMP -> new Column(localTimestampMicros(), (json, field) -> Math.floorDiv(int64(json, field), 1000L));
                case MICRO_TIME -> new Column(LogicalTypes.timeMicros().addToSchema(longType), RowMapping::int64);
                case CONNECT_TIMESTAMP -> new Column(LogicalTypes.timestampMicros().addToSchema(longType),
                        (json, field) -> times(int64(json, field), 1000L, field));
                default -> new Column(longType, RowMapping::int64);
            };
            case FLOAT32 -> new Column(Schema.create(Schema.Type.FLOAT), (json, field) -> json.currentToken() == JsonToken.VALUE_STRING
                    ? (float) nonFinite(json.getText())
                    : json.getFloatValue());
            case FLOAT64 -> new Column(Schema.create(Schema.Type.DOUBLE), (json, field) -> json.currentToken() == JsonToken.VALUE_STRING
                    ? nonFinite(json.getText())
                    : json.getDoubleValue());
            case BOOLEAN -> new Column(Schema.create(Schema.Type.BOOLEAN), (json, field) -> json.getBooleanValue());
            case STRING -> ZONED_TIMESTAMP.equals(name)
                    ? new Column(LogicalTypes.timestampMicros().addToSchema(longType), (json, field) -> zonedMicros(json.getText(), field))
                    : new Column(Schema.create(Schema.Type.STRING), (json, field) -> json.getText());
            case BYTES -> Decimal.LOGICAL_NAME.equals(name)
                    ? decimalColumn(schema)
                    : new Column(Schema.create(Schema.Type.BYTES), (json, field) -> ByteBuffer.wrap(base64(json, field)));
            case STRUCT -> VARIABLE_SCALE_DECIMAL.equals(name)
                    ? new Column(Schema.create(Schema.Type.STRING), RowMapping::variableScaleDecimal)
                    : new Column(Schema.create(Schema.Type.STRING), RowMapping::jsonText);
            case ARRAY, MAP -> new Column(Schema.create(Schema.Type.STRING), RowMapping::jsonText);
        };
    }

    private static Column decimalColumn(org.apache.kafka.connect.data.Schema schema) {
        int scale = Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
        String declaredPrecision = schema.parameters().get(DECIMAL_PRECISION);
        int precision = declaredPrecision == null ? MAX_DECIMAL_PRECISION : Integer.parseInt(declaredPrecision);
        Schema avro = LogicalTypes.decimal(precision, scale).addToSchema(Schema.create(Schema.Type.BYTES));
        // JsonConverter writes a decimal's unscaled value as base64 two's complement; Parquet stores the same bytes
        return new Column(avro, (json, field) -> ByteBuffer.wrap(unscaled(base64(json, field), field).toByteArray()));
    }

    private static Schema localTimestampMicros() {
        return LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    }

    private static int intIn(JsonParser json, JsonField field, int min, int max) throws IOException {
        return intIn(int64(json, field), field, min, max);
    }

    private static int intIn(long value, JsonField field, int min, int max) {
        if (value < min || value > max) {
            throw field.invalid(value + " is out of range");
        }
        return (int) value;
    }

    private static Object int32(JsonParser json, JsonField field) throws IOException {
        return intIn(json, field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static long int64(JsonParser json, JsonField field) throws IOException {
        if (json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw field.invalid(json.getText() + " is out of range");
        }
        return json.getLongValue();
    }

    /** A timestamp in microseconds; Debezium's stand-ins for infinities become the lake's infinities. */
    private static long infiniteOr(long value, long infinity, long minusInfinity, long microsPerUnit, JsonField field) {
        if (value == infinity) {
            return LakeFormat.INFINITY_MICROS;
        }
        if (value == minusInfinity) {
            return LakeFormat.MINUS_INFINITY_MICROS;
        }
        return microsPerUnit == 1 ? value : times(value, microsPerUnit, field);
    }

    private static Object debeziumDate(JsonParser json, JsonField field) throws IOException {
        long days = int64(json, field);
        if (days == DEBEZIUM_INFINITY_DAYS || days == DEBEZIUM_INFINITY_DAYS_FIXED) {
            return LakeFormat.INFINITY_DAYS;
        }
        if (days == DEBEZIUM_MINUS_INFINITY_DAYS) {
            return LakeFormat.MINUS_INFINITY_DAYS;
        }
        return intIn(days, field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    private static long times(long value, long factor, JsonField field) {
        try {
            return Math.multiplyExact(value, factor);
        } catch (ArithmeticException e) {
            throw field.invalid(value + " is out of range");
        }
    }

    private static double nonFinite(String text) {
        return Double.parseDouble(text);
    }

    private static byte[] base64(JsonParser json, JsonField field) throws IOException {
        try {
            return json.getBinaryValue();
        } catch (JsonParseException e) {
            throw field.invalid("not base64: " + e.getOriginalMessage());
        }
    }

    private static BigInteger unscaled(byte[] twosComplement, JsonField field) {
        if (twosComplement.length == 0) {
            throw field.invalid("an empty decimal");
        }
        return new BigInteger(twosComplement);
    }

    private static long zonedMicros(String isoOffsetDateTime, JsonField field) {
        // how Debezium writes PostgreSQL's infinite timestamptz values
        if (isoOffsetDateTime.equals("infinity")) {
            return LakeFormat.INFINITY_MICROS;
        }
        if (isoOffsetDateTime.equals("-infinity")) {
            return LakeFormat.MINUS_INFINITY_MICROS;
        }
        try {
            return epochMicros(isoOffsetDateTime);
        } catch (DateTimeException | ArithmeticException e) {
            throw field.invalid("not an ISO-8601 timestamp with offset: " + isoOffsetDateTime);
        }
    }

    /**
     * Microseconds since the epoch of an ISO-8601 instant with offset. Debezium writes UTC instants
     * as {@code yyyy-MM-ddTHH:mm:ss[.ffffff]Z}: those are read by hand, a quarter of the lake
     * writer's time with the general parser; anything else goes to it.
     */
    static long epochMicros(String isoOffsetDateTime) {
        String iso = isoOffsetDateTime;
        int length = iso.length();
        if (length >= 20 && length <= 27 && length != 21 && iso.charAt(length - 1) == 'Z' && iso.charAt(4) == '-' && iso.charAt(7) == '-'
                && iso.charAt(10) == 'T' && iso.charAt(13) == ':' && iso.charAt(16) == ':' && (length == 20 || iso.charAt(19) == '.')) {
            int year = digits(iso, 0, 4);
            int month = digits(iso, 5, 2);
            int day = digits(iso, 8, 2);
            int hour = digits(iso, 11, 2);
            int minute = digits(iso, 14, 2);
            int second = digits(iso, 17, 2);
            int fraction = length == 20 ? 0 : digits(iso, 20, length - 21);
            if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23
                    && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && fraction >= 0
                    && day <= YearMonth.of(year, month).lengthOfMonth()) {
                long epochDay = LocalDate.of(year, month, day).toEpochDay();
                long seconds = epochDay * 86_400 + hour * 3_600L + minute * 60L + second;
                return seconds * 1_000_000 + (length == 20 ? 0 : fraction * MICROS_SCALE[length - 21]);
            }
        }
        Instant instant = OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        // not ChronoUnit.MICROS.between, which counts in nanoseconds and overflows before 1678 and after 2262
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    /** What a fraction of n digits (index n) is worth in microseconds. */
    private static final long[] MICROS_SCALE = {0, 100_000, 10_000, 1_000, 100, 10, 1};

    /** The decimal number of {@code count} ASCII digits from {@code from}, or -1 when one is no digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Debezium's numeric without a declared scale: the exact value as text, since its scale varies from row to row. */
    private static Object variableScaleDecimal(JsonParser json, JsonField field) throws IOException {
        JsonNode value = json.readValueAsTree();
        JsonValueTypes.check(field.schema(), value, field.path());
        try {
            return new BigDecimal(unscaled(value.get("value").binaryValue(), field), value.get("scale").intValue()).toPlainString();
        } catch (IOException e) {
            throw field.invalid("not base64: " + e.getMessage());
        }
    }

    /** Arrays, maps and other structs are kept as their JSON text, which every Parquet reader can parse further. */
    private static Object jsonText(JsonParser json, JsonField field) throws IOException {
        JsonNode value = json.readValueAsTree();
        JsonValueTypes.check(field.schema(), value, field.path());
        return value.toString();
    }
}
