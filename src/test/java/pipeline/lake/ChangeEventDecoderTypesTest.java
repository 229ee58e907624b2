package pipeline.lake;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every column type Debezium sends reaches the lake with its value, whatever the layout of the JsonConverter record. */
class ChangeEventDecoderTypesTest {

    private static final Schema VARIABLE_SCALE_DECIMAL = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").optional()
            .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
    private static final Schema POINT = SchemaBuilder.struct().name("io.debezium.data.geometry.Point").optional()
            .field("x", Schema.FLOAT64_SCHEMA).field("y", Schema.FLOAT64_SCHEMA).field("srid", Schema.OPTIONAL_INT32_SCHEMA).build();

    private static final Schema ROW = SchemaBuilder.struct().name("cdc.public.everything.Value")
            .field("id", Schema.INT64_SCHEMA)
            .field("small", Schema.OPTIONAL_INT16_SCHEMA)
            .field("tiny", Schema.OPTIONAL_INT8_SCHEMA)
            .field("count", Schema.OPTIONAL_INT32_SCHEMA)
            .field("ratio", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("rating", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("active", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("amount", Decimal.builder(4).parameter("connect.decimal.precision", "30").optional().build())
            .field("whole", Decimal.builder(0).optional().build())
            .field("any_numeric", VARIABLE_SCALE_DECIMAL)
            .field("day", SchemaBuilder.int32().name("io.debezium.time.Date").version(1).optional().build())
            .field("connect_day", org.apache.kafka.connect.data.Date.builder().optional().build())
            .field("at_zoned", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").version(1).optional().build())
            .field("at_micros", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).optional().build())
            .field("at_millis", SchemaBuilder.int64().name("io.debezium.time.Timestamp").version(1).optional().build())
            .field("at_nanos", SchemaBuilder.int64().name("io.debezium.time.NanoTimestamp").version(1).optional().build())
            .field("connect_at", Timestamp.builder().optional().build())
            .field("time_micros", SchemaBuilder.int64().name("io.debezium.time.MicroTime").version(1).optional().build())
            .field("time_millis", SchemaBuilder.int32().name("io.debezium.time.Time").version(1).optional().build())
            .field("connect_time", Time.builder().optional().build())
            .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("attributes", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA).optional().build())
            .field("place", POINT)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random = new Random(20261201);
    private final JsonConverter schemaless = new JsonConverter();

    ChangeEventDecoderTypesTest() {
        schemaless.configure(Map.of("schemas.enable", "false"), false);
    }

    @Test
    void everyColumnTypeKeepsItsValue() {
        ChangeEventDecoder decoder = new ChangeEventDecoder();
        for (int i = 0; i < 3_000; i++) {
            Struct row = randomRow(i);
            String op = List.of("c", "u", "d", "r").get(i % 4);
            byte[] record = Envelopes.envelope(op, op.equals("d") ? row : null, op.equals("d") ? null : row, 1_000L + i, 5_000L + i);

            ChangeEvent event = decoder.decode(Envelopes.TOPIC, record);

            assertThat(event.op()).isEqualTo(op);
            assertThat(event.sourceTsMs()).isEqualTo(1_000L + i);
            assertThat(event.lsn()).isEqualTo(5_000L + i);
            for (Field column : ROW.fields()) {
                assertThat(event.row()[column.index()]).as("row %d, column %s = %s", i, column.name(), row.get(column))
                        .isEqualTo(lakeValue(column.schema(), row.get(column)));
            }
        }
    }

    @Test
    void postgresInfinitiesReachTheLakeAsItsInfinities() {
        // what Debezium 3.4 sends for 'infinity' and '-infinity' in timestamptz, timestamp(6), timestamp(3) and date columns
        Struct infinite = new Struct(ROW).put("id", 1L).put("at_zoned", "infinity").put("at_micros", 9_223_372_036_825_200_000L)
                .put("at_millis", 9_223_372_036_825_200L).put("day", -2_147_472_692);
        Struct minusInfinite = new Struct(ROW).put("id", 2L).put("at_zoned", "-infinity").put("at_micros", -9_223_372_036_832_400_000L)
                .put("at_millis", -9_223_372_036_832_400L).put("day", -2_147_472_691);
        // Debezium's 'infinity' date after debezium/dbz#2524: +5877611-06-21
        Struct laterInfiniteDay = new Struct(ROW).put("id", 3L).put("day", 2_146_033_979);
        ChangeEventDecoder decoder = new ChangeEventDecoder();

        Object[] up = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, infinite, 1, 1)).row();
        Object[] down = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, minusInfinite, 1, 2)).row();
        Object[] later = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, laterInfiniteDay, 1, 3)).row();

        int zoned = ROW.field("at_zoned").index();
        int micros = ROW.field("at_micros").index();
        int millis = ROW.field("at_millis").index();
        int day = ROW.field("day").index();
        assertThat(List.of(up[zoned], up[micros], up[millis], up[day], later[day]))
                .containsExactly(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(List.of(down[zoned], down[micros], down[millis], down[day]))
                .containsExactly(-Long.MAX_VALUE, -Long.MAX_VALUE, -Long.MAX_VALUE, -Integer.MAX_VALUE);
    }

    @Test
    void anyJsonLayoutOfTheRecordDecodesAlike() throws Exception {
        Struct row = randomRow(1);
        byte[] compact = Envelopes.envelope("u", null, row, 7L, 8L);
        Map<String, Object> record = JSON.readValue(compact, LinkedHashMap.class);
        Map<String, Object> payloadFirst = new LinkedHashMap<>();
        payloadFirst.put("payload", record.get("payload"));
        payloadFirst.put("schema", record.get("schema"));
        byte[] indented = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record);
        byte[] reordered = JSON.writeValueAsBytes(payloadFirst);

        ChangeEventDecoder decoder = new ChangeEventDecoder();
        ChangeEvent expected = decoder.decode(Envelopes.TOPIC, compact);
        for (byte[] layout : List.of(indented, reordered, compact, indented)) {
            ChangeEvent event = decoder.decode(Envelopes.TOPIC, layout);
            assertThat(event.row()).containsExactly(expected.row());
            assertThat(event.mapping()).isSameAs(expected.mapping());
        }
    }

    @Test
    void aSchemaChangeMidStreamTakesEachRecordWithItsOwnSchema() {
        ChangeEventDecoder decoder = new ChangeEventDecoder();
        Struct narrow = Envelopes.trip(1, "2024-03-10T07:30:00Z");
        Struct wide = new Struct(Envelopes.ROW_WITH_FARE).put("trip_id", 2L).put("vehicle_id", "v-2")
                .put("started_at", "2024-03-10T07:30:00Z").put("fare", 9.5);
        for (int i = 0; i < 4; i++) {
            ChangeEvent before = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, narrow, 1, 1));
            ChangeEvent after = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, wide, 2, 2));
            assertThat(before.row()).hasSize(Envelopes.ROW.fields().size());
            assertThat(after.row()).containsExactly(2L, "v-2", 1_710_055_800_000_000L, 9.5);
            assertThat(after.mapping().avroSchema().getField("fare")).isNotNull();
        }
    }

    @Test
    void aNullInAColumnWithADefaultStaysNull() {
        // JsonConverter reads it as the default (replace.null.with.default), though the row holds NULL
        Schema withDefault = SchemaBuilder.struct().name("cdc.public.trip.Value")
                .field("trip_id", Schema.INT64_SCHEMA)
                .field("vehicle_id", SchemaBuilder.string().optional().defaultValue("unknown").build())
                .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
                .build();
        Struct row = new Struct(withDefault).put("trip_id", 3L).put("vehicle_id", null).put("started_at", "2024-03-10T07:30:00Z");
        String written = new String(Envelopes.envelope("c", null, row, 1, 1), StandardCharsets.UTF_8);
        byte[] record = written.replace("\"vehicle_id\":\"unknown\"", "\"vehicle_id\":null").getBytes(StandardCharsets.UTF_8);
        assertThat(new String(record, StandardCharsets.UTF_8)).contains("\"vehicle_id\":null").contains("\"default\":\"unknown\"");

        assertThat(new ChangeEventDecoder().decode(Envelopes.TOPIC, record).row()[1]).isNull();
    }

    /** What the lake stores for a Kafka Connect value, worked out from the value itself. */
    private Object lakeValue(Schema schema, Object value) {
        if (value == null) {
            return null;
        }
        String name = schema.name() == null ? "" : schema.name();
        switch (name) {
            case Decimal.LOGICAL_NAME:
                return ByteBuffer.wrap(((BigDecimal) value).unscaledValue().toByteArray());
            case "io.debezium.data.VariableScaleDecimal": {
                Struct decimal = (Struct) value;
                return new BigDecimal(new BigInteger(decimal.getBytes("value")), decimal.getInt32("scale")).toPlainString();
            }
            case org.apache.kafka.connect.data.Date.LOGICAL_NAME:
                return (int) (((Date) value).getTime() / 86_400_000L);
            case Time.LOGICAL_NAME:
                return (int) ((Date) value).getTime();
            case Timestamp.LOGICAL_NAME:
                return ((Date) value).getTime() * 1000;
            case "io.debezium.time.ZonedTimestamp":
                return ChronoUnit.MICROS.between(java.time.Instant.EPOCH, OffsetDateTime.parse((String) value).toInstant());
            case "io.debezium.time.Timestamp":
                return (Long) value * 1000;
            case "io.debezium.time.NanoTimestamp":
                return Math.floorDiv((Long) value, 1000L);
            default:
                break;
        }
        return switch (schema.type()) {
            case INT8, INT16 -> ((Number) value).intValue();
            case BYTES -> ByteBuffer.wrap((byte[]) value);
            case ARRAY, MAP, STRUCT -> {
                try {
                    yield JSON.readTree(schemaless.fromConnectData("t", schema, value)).toString();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            default -> value;
        };
    }

    private Struct randomRow(long id) {
        Struct row = new Struct(ROW).put("id", id);
        for (Field column : ROW.fields()) {
            if (column.name().equals("id") || random.nextInt(8) == 0) {
                continue;
            }
            row.put(column, randomValue(column.name()));
        }
        return row;
    }

    private Object randomValue(String column) {
        return switch (column) {
            case "small" -> (short) random.nextInt();
            case "tiny" -> (byte) random.nextInt();
            case "count" -> pick(random.nextInt(), Integer.MIN_VALUE, Integer.MAX_VALUE, 0);
            case "ratio" ->
                pick(random.nextFloat() * 1e6f - 5e5f, Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE);
            case "rating" -> pick(random.nextGaussian() * 1e12, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                    Double.MIN_VALUE, Double.MAX_VALUE, 0.1 + 0.2);
            case "active" -> random.nextBoolean();
            case "note" -> randomText();
            case "blob" -> randomBytes(random.nextInt(40));
            case "amount" -> new BigDecimal(
                    new BigInteger(random.nextInt(99) + 1, random).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1)), 4);
            case "whole" -> new BigDecimal(new BigInteger(random.nextInt(64) + 1, random).negate(), 0);
            case "any_numeric" -> new Struct(VARIABLE_SCALE_DECIMAL).put("scale", random.nextInt(12))
                    .put("value", BigInteger.valueOf(random.nextLong()).toByteArray());
            case "day" -> random.nextInt(200_000) - 100_000;
            case "connect_day" -> new Date((random.nextInt(200_000) - 100_000) * 86_400_000L);
            case "at_zoned" ->
                OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(random.nextInt() * 3L, random.nextInt(1_000_000) * 1000L),
                        ZoneOffset.ofHours(random.nextInt(25) - 12)).toString();
            case "at_micros", "at_nanos" -> random.nextLong() / 1000;
            case "at_millis" -> random.nextLong() / 1_000_000;
            case "connect_at" -> new Date(random.nextLong() / 1_000_000);
            case "time_micros" -> (long) random.nextInt(86_400) * 1_000_000L + random.nextInt(1_000_000);
            case "time_millis" -> random.nextInt(86_400_000);
            case "connect_time" -> new Date(random.nextInt(86_400_000));
            case "tags" -> {
                List<String> tags = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    tags.add(random.nextInt(5) == 0 ? null : randomText());
                }
                yield tags;
            }
            case "attributes" -> {
                Map<String, Long> attributes = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    attributes.put(randomText(), random.nextInt(5) == 0 ? null : random.nextLong());
                }
                yield attributes;
            }
            case "place" -> new Struct(POINT).put("x", random.nextDouble()).put("y", -random.nextDouble()).put("srid", 4326);
            default -> throw new IllegalArgumentException(column);
        };
    }

    @SafeVarargs
    private <T> T pick(T... values) {
        return random.nextInt(3) == 0 ? values[random.nextInt(values.length)] : values[0];
    }

    private String randomText() {
        String[] pieces = {"a", "Ä", "\"", "\\", "\n", "\u0001", "</", "\u2028", "😀", "漢", " ", "NaN", ""};
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(8); i > 0; i--) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.toString();
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
