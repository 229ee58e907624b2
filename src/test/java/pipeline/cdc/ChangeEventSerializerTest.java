package pipeline.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** ChangeEventSerializer writes keys and values byte for byte as Kafka Connect's JsonConverter with schemas does. */
class ChangeEventSerializerTest {

    private static final String TOPIC = TripChangeEvents.TOPIC;
    private static final long MILLIS_PER_DAY = 24 * 60 * 60 * 1000L;
    /** -Dserializer.seed=N replays a failed run of the random tests. */
    private static final long SEED = Long.getLong("serializer.seed", System.nanoTime());

    private final JsonConverter keyConverter = jsonConverter(true);
    private final JsonConverter valueConverter = jsonConverter(false);
    private final ChangeEventSerializer serializer = new ChangeEventSerializer();

    @Test
    void writesRandomRecordsOfEveryTypeAsJsonConverterDoes() {
        Random random = new Random(SEED);
        RandomConnectData data = new RandomConnectData(random);
        // records often share a schema, as Debezium's do, and pass the 1000 schemas both caches hold
        List<Schema> schemas = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
            Schema keySchema = random.nextInt(10) == 0 ? null : someSchema(random, data, schemas);
            Object key = keySchema == null ? randomSchemaless(random, data) : data.valueOrUnset(keySchema);
            Schema valueSchema = random.nextInt(10) == 0 ? null : someSchema(random, data, schemas);
            Object value = valueSchema == null ? randomSchemaless(random, data) : data.valueOrUnset(valueSchema);
            SourceRecord record = new SourceRecord(Map.of(), Map.of(), TOPIC, null, keySchema, key, valueSchema, value);
            assertWritesAsJsonConverter(record, "random record " + i + " of seed " + SEED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("edgeValues")
    void writesEdgeValueAsJsonConverterDoes(String description, Schema schema, Object value) {
        assertWritesAsJsonConverter(new SourceRecord(Map.of(), Map.of(), TOPIC, null, schema, value, schema, value), description);
    }

    @Test
    void writesDebeziumTripChangesAsJsonConverterDoes() {
        TripChangeEvents trips = TripChangeEvents.fiveColumns(new Random(SEED));
        for (int i = 0; i < 3_000; i++) {
            assertWritesAsJsonConverter(trips.next(), "trip change " + i + " of seed " + SEED);
        }
    }

    @Test
    void writesTombstoneAsNullValueAndItsKeyAsJsonConverterDoes() {
        SourceRecord tombstone = TripChangeEvents.fiveColumns(new Random(SEED)).tombstone(42);

        assertThat(serializer.value(tombstone)).isNull();
        assertThat(new String(serializer.key(tombstone), UTF_8)).isEqualTo("{\"schema\":{\"type\":\"struct\",\"fields\":"
                + "[{\"type\":\"int64\",\"optional\":false,\"field\":\"trip_id\"}],\"optional\":false,"
                + "\"name\":\"cdc.public.trip.Key\"},\"payload\":{\"trip_id\":42}}");
        assertWritesAsJsonConverter(tombstone, "tombstone");
    }

    @Test
    void followsAnAddedColumnWhenOldAndNewSchemasAlternate() {
        TripChangeEvents fiveColumns = TripChangeEvents.fiveColumns(new Random(SEED));
        TripChangeEvents withFare = TripChangeEvents.withFareColumn(new Random(SEED + 1));
        for (int i = 0; i < 500; i++) {
            SourceRecord before = fiveColumns.next();
            SourceRecord after = withFare.next();
            assertWritesAsJsonConverter(before, "change " + i + " before the column was added, seed " + SEED);
            assertWritesAsJsonConverter(after, "change " + i + " after the column was added, seed " + SEED);
            if (before.value() != null) {
                assertThat(new String(serializer.value(before), UTF_8)).doesNotContain("\"field\":\"fare\"");
            }
            if (after.value() != null) {
                assertThat(new String(serializer.value(after), UTF_8)).contains("\"field\":\"fare\"");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidValues")
    void rejectsWhatJsonConverterRejectsAndWritesTheNextRecord(String description, Schema schema, Object value) {
        Throwable rejection = catchThrowable(() -> valueConverter.fromConnectData(TOPIC, schema, value));
        assertThat(rejection).as("JsonConverter's rejection of " + description).isNotNull();

        assertThatThrownBy(() -> serializer.value(new SourceRecord(Map.of(), Map.of(), TOPIC, null, null, null, schema, value)))
                .isExactlyInstanceOf(rejection.getClass());
        assertWritesAsJsonConverter(TripChangeEvents.fiveColumns(new Random(SEED)).next(), "the record after " + description);
    }

    static Stream<Arguments> edgeValues() {
        List<Arguments> cases = new ArrayList<>();
        for (float number : RandomConnectData.AWKWARD_FLOATS) {
            cases.add(arguments("float32 " + number, Schema.FLOAT32_SCHEMA, number));
        }
        for (double number : RandomConnectData.AWKWARD_DOUBLES) {
            cases.add(arguments("float64 " + number, Schema.FLOAT64_SCHEMA, number));
        }
        for (long number : RandomConnectData.AWKWARD_LONGS) {
            cases.add(arguments("int64 " + number, Schema.INT64_SCHEMA, number));
            cases.add(arguments("int32 " + (int) number, Schema.INT32_SCHEMA, (int) number));
            cases.add(arguments("int16 " + (short) number, Schema.INT16_SCHEMA, (short) number));
            cases.add(arguments("int8 " + (byte) number, Schema.INT8_SCHEMA, (byte) number));
        }
        String[] texts = RandomConnectData.AWKWARD_TEXTS;
        for (int i = 0; i < texts.length; i++) {
            // the text itself stays out of the name: test reports are XML, which cannot hold all of them
            cases.add(arguments("string #" + i, Schema.STRING_SCHEMA, texts[i]));
            Schema named = SchemaBuilder.struct().name(texts[i]).doc(texts[i]).parameter(texts[i], texts[i])
                    .field("f" + texts[i], Schema.STRING_SCHEMA).build();
            cases.add(arguments("field name, schema name, doc and parameter #" + i, named, new Struct(named).put("f" + texts[i], "")));
        }
        cases.add(arguments("string from a StringBuilder", Schema.STRING_SCHEMA, new StringBuilder("built")));
        cases.add(arguments("boolean", Schema.BOOLEAN_SCHEMA, true));
        cases.add(arguments("empty bytes", Schema.BYTES_SCHEMA, new byte[0]));
        cases.add(arguments("bytes", Schema.BYTES_SCHEMA, new byte[] {0, -1, 127, -128, 62, 63}));
        cases.add(arguments("empty ByteBuffer", Schema.BYTES_SCHEMA, ByteBuffer.allocate(0)));
        cases.add(arguments("ByteBuffer read to its end, written whole", Schema.BYTES_SCHEMA,
                readToEnd(ByteBuffer.wrap(new byte[] {1, 2, 3}))));
        cases.add(arguments("ByteBuffer slice, written with the whole backing array", Schema.BYTES_SCHEMA,
                ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}, 2, 2).slice()));
        for (String decimal : List.of("0", "0.000", "-1.5", "1E+3", "-1E-40", "12345678901234567890123456789.123456789",
                "-0.00000000000000000000000000000000000001", "127", "128", "-128", "-129", "255", "256")) {
            BigDecimal number = new BigDecimal(decimal);
            cases.add(arguments("decimal " + decimal, Decimal.schema(number.scale()), number));
        }
        BigDecimal huge = new BigDecimal(BigInteger.TWO.pow(1000).negate(), 17);
        cases.add(arguments("decimal of a thousand bits", Decimal.schema(17), huge));
        cases.add(arguments("date 1970-01-01", Date.SCHEMA, new java.util.Date(0)));
        cases.add(arguments("date before 1970", Date.SCHEMA, new java.util.Date(-719_162 * MILLIS_PER_DAY)));
        cases.add(arguments("time midnight", Time.SCHEMA, new java.util.Date(0)));
        cases.add(arguments("time before midnight", Time.SCHEMA, new java.util.Date(MILLIS_PER_DAY - 1)));
        cases.add(arguments("time 24:00, which Connect's Time takes", Time.SCHEMA, new java.util.Date(MILLIS_PER_DAY)));
        cases.add(arguments("timestamp Long.MIN_VALUE", Timestamp.SCHEMA, new java.util.Date(Long.MIN_VALUE)));
        cases.add(arguments("timestamp Long.MAX_VALUE", Timestamp.SCHEMA, new java.util.Date(Long.MAX_VALUE)));
        cases.add(arguments("Debezium ZonedTimestamp", ZonedTimestamp.schema(), "2024-03-10T07:30:00.123456Z"));
        cases.add(arguments("Debezium MicroTimestamp", MicroTimestamp.schema(), 1_710_000_000_123_456L));
        cases.add(arguments("optional null", Schema.OPTIONAL_STRING_SCHEMA, null));
        cases.add(arguments("null of an optional schema with a default, written as null",
                SchemaBuilder.string().optional().defaultValue("default").build(), null));
        cases.add(arguments("null of a decimal with a default", Decimal.builder(2).optional().defaultValue(new BigDecimal("-3.14")).build(),
                null));
        Schema snapshot = SchemaBuilder.string().name("io.debezium.data.Enum").version(1)
                .parameter("allowed", "true,last,false").defaultValue("false").optional().build();
        Schema source = SchemaBuilder.struct().field("snapshot", snapshot).field("db", Schema.STRING_SCHEMA).build();
        cases.add(arguments("unset optional struct field with a default, written as null", source, new Struct(source).put("db", "trips")));
        cases.add(arguments("set struct field with a default", source, new Struct(source).put("db", "trips").put("snapshot", "last")));
        Schema defaultedElement = SchemaBuilder.int32().optional().defaultValue(-1).build();
        cases.add(
                arguments("null element of an array whose optional elements have a default", SchemaBuilder.array(defaultedElement).build(),
                        Arrays.asList(1, null, 3)));
        cases.add(arguments("empty array", SchemaBuilder.array(Schema.INT8_SCHEMA).build(), List.of()));
        cases.add(arguments("array of optional structs of an equal, not the same, schema, with nulls",
                SchemaBuilder.array(snapshotHolder(snapshot)).build(),
                Arrays.asList(new Struct(snapshotHolder(snapshot)), null)));
        cases.add(arguments("empty map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), Map.of()));
        cases.add(arguments("map with string keys", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).build(),
                mapOf("b", 1, "a", null, "\u2028", 3)));
        cases.add(arguments("map whose null key and \"null\" key share a JSON name",
                SchemaBuilder.map(Schema.OPTIONAL_STRING_SCHEMA, Schema.INT32_SCHEMA).build(), mapOf(null, 1, "x", 2, "null", 3)));
        cases.add(arguments("map whose null key has a key schema with a default",
                SchemaBuilder.map(SchemaBuilder.string().optional().defaultValue("k").build(), Schema.INT32_SCHEMA).build(),
                mapOf("k", 1, null, 2)));
        cases.add(arguments("map whose distinct StringBuilder keys share a JSON name",
                SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(),
                mapOf(new StringBuilder("same"), 1, new StringBuilder("other"), 2, new StringBuilder("same"), 3)));
        cases.add(arguments("map with int keys, written as pairs", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(),
                mapOf(1, "one", -2, "minus two")));
        Schema keyStruct = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        cases.add(arguments("map with struct keys, written as pairs", SchemaBuilder.map(keyStruct, Schema.BOOLEAN_SCHEMA).build(),
                mapOf(new Struct(keyStruct).put("id", 1L), true)));
        cases.add(arguments("map with optional int keys and a null key",
                SchemaBuilder.map(Schema.OPTIONAL_INT32_SCHEMA, Schema.STRING_SCHEMA).build(), mapOf(null, "none", 1, "one")));
        Schema inner = SchemaBuilder.struct().name("inner").version(3).doc("the inner one").optional()
                .field("x", Schema.FLOAT64_SCHEMA).build();
        Schema outer = SchemaBuilder.struct().name("outer").field("inner", inner).field("again", inner)
                .field("empty", SchemaBuilder.struct().optional().build()).build();
        cases.add(arguments("nested structs", outer, new Struct(outer).put("inner", new Struct(inner).put("x", -0.0))));
        cases.add(arguments("schema with every attribute",
                SchemaBuilder.int32().name("pipeline.test.Attributes").version(Integer.MIN_VALUE).doc("doc \"quoted\"")
                        .parameter("b", "2").parameter("a", "1").optional().defaultValue(5).build(),
                9));
        Schema defaults = logicalDefaults();
        cases.add(arguments("defaults of every logical type in the schema", defaults, logicalValues(defaults)));
        cases.add(arguments("schemaless list", null, Arrays.asList(1, "x", null, 2.5f, List.of(), new byte[] {1})));
        cases.add(arguments("schemaless map with string keys", null, mapOf("a", 1L, "b", null)));
        cases.add(arguments("schemaless map with mixed keys", null, mapOf("a", 1L, 2, null, null, true)));
        cases.add(arguments("schemaless ByteBuffer", null, ByteBuffer.wrap(new byte[] {9, 8, 7}, 1, 1)));
        return cases.stream();
    }

    static Stream<Arguments> invalidValues() {
        Schema struct = SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build();
        Schema otherStruct = SchemaBuilder.struct().field("id", Schema.OPTIONAL_INT64_SCHEMA).build();
        return Stream.of(
                arguments("null of a required schema", Schema.INT32_SCHEMA, null),
                arguments("null of a required schema with a default", SchemaBuilder.int64().defaultValue(7L).build(), null),
                arguments("a string for an int32", Schema.INT32_SCHEMA, "1"),
                arguments("an int for a float32", Schema.FLOAT32_SCHEMA, 1),
                arguments("a struct of another schema", struct, new Struct(otherStruct).put("id", 1L)),
                arguments("a decimal of another scale", Decimal.schema(2), new BigDecimal("1.5")),
                arguments("a double for a decimal", Decimal.schema(2), 1.5),
                arguments("a date with a time of day", Date.SCHEMA, new java.util.Date(1)),
                arguments("a time with a date", Time.SCHEMA, new java.util.Date(MILLIS_PER_DAY + 1)),
                arguments("a long for a timestamp", Timestamp.SCHEMA, 1L),
                arguments("a struct without a schema", null, new Struct(struct).put("id", 1L)),
                arguments("a date without a schema", null, new java.util.Date()),
                arguments("a read-only ByteBuffer", Schema.BYTES_SCHEMA, ByteBuffer.wrap(new byte[] {1}).asReadOnlyBuffer()),
                arguments("a direct ByteBuffer", Schema.BYTES_SCHEMA, ByteBuffer.allocateDirect(1)),
                arguments("an int key of a string-keyed map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(),
                        mapOf(1, 1)),
                arguments("a null key of a required string key", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(),
                        mapOf(null, 1)),
                arguments("a null element of required elements", SchemaBuilder.array(Schema.STRING_SCHEMA).build(),
                        Arrays.asList("a", null)));
    }

    /** The same bytes as JsonConverter's, or the same rejection. */
    private void assertWritesAsJsonConverter(SourceRecord record, String context) {
        assertSameOutcome(() -> keyConverter.fromConnectData(record.topic(), record.keySchema(), record.key()),
                () -> serializer.key(record),
                "key of " + context);
        assertSameOutcome(() -> valueConverter.fromConnectData(record.topic(), record.valueSchema(), record.value()),
                () -> serializer.value(record), "value of " + context);
    }

    private static void assertSameOutcome(java.util.function.Supplier<byte[]> jsonConverter, java.util.function.Supplier<byte[]> ours,
            String context) {
        byte[] expected;
        try {
            expected = jsonConverter.get();
        } catch (RuntimeException rejection) {
            assertThatThrownBy(ours::get).as(context + " is rejected as by JsonConverter (seed " + SEED + ")")
                    .isExactlyInstanceOf(rejection.getClass());
            return;
        }
        assertSameBytes(expected, ours.get(), context);
    }

    private static void assertSameBytes(byte[] expected, byte[] actual, String context) {
        if (!Arrays.equals(expected, actual)) {
            fail(context + " (run again with -Dserializer.seed=" + SEED + ")\nJsonConverter: " + text(expected)
                    + "\nserializer:    " + text(actual));
        }
    }

    private static Schema someSchema(Random random, RandomConnectData data, List<Schema> schemas) {
        if (!schemas.isEmpty() && random.nextBoolean()) {
            return schemas.get(random.nextInt(schemas.size()));
        }
        Schema schema = data.schema(3);
        schemas.add(schema);
        return schema;
    }

    private static Object randomSchemaless(Random random, RandomConnectData data) {
        return random.nextInt(4) == 0 ? null : data.schemalessValue(2);
    }

    private static Schema snapshotHolder(Schema snapshot) {
        return SchemaBuilder.struct().name("holder").optional().field("snapshot", snapshot).build();
    }

    private static Schema logicalDefaults() {
        return SchemaBuilder.struct()
                .field("decimal", Decimal.builder(3).defaultValue(new BigDecimal("-0.001")).build())
                .field("date", Date.builder().defaultValue(new java.util.Date(3 * MILLIS_PER_DAY)).build())
                .field("time", Time.builder().defaultValue(new java.util.Date(1234)).build())
                .field("timestamp", Timestamp.builder().defaultValue(new java.util.Date(-1)).build())
                .field("float", SchemaBuilder.float32().defaultValue(Float.NaN).build())
                .field("bytes", SchemaBuilder.bytes().defaultValue(ByteBuffer.wrap(new byte[] {1, 2})).build())
                .field("list", SchemaBuilder.array(Schema.STRING_SCHEMA).defaultValue(List.of("a", "\"")).build())
                .field("map", SchemaBuilder.map(Schema.INT8_SCHEMA, Schema.STRING_SCHEMA).defaultValue(Map.of((byte) 1, "one")).build())
                .build();
    }

    /** A struct holding each field's default as its value. */
    private static Struct logicalValues(Schema schema) {
        Struct struct = new Struct(schema);
        schema.fields().forEach(field -> struct.put(field, field.schema().defaultValue()));
        return struct;
    }

    private static ByteBuffer readToEnd(ByteBuffer buffer) {
        buffer.position(buffer.limit());
        return buffer;
    }

    /** Keys and values alternating, nulls allowed, in the order given. */
    private static Map<Object, Object> mapOf(Object... keysAndValues) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static JsonConverter jsonConverter(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), isKey);
        return converter;
    }

    private static String text(byte[] json) {
        return json == null ? "null" : new String(json, UTF_8);
    }
}
