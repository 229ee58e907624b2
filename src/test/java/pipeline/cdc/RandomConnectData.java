package pipeline.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.debezium.data.Json;
import io.debezium.data.VariableScaleDecimal;
import io.debezium.time.MicroTimestamp;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Random Connect schemas of every type and logical type, with names, versions, docs, parameters and
 * defaults, and random values for them, drawn often from the values hardest to write as JSON.
 */
final class RandomConnectData {

    static final String[] AWKWARD_TEXTS = {
            "", "a", "trip", "null", "0", "-1", "é", "日本語", "\uD83D\uDE95", "\uD83D\uDE00\uD83D\uDE00", "\uD800", "\uDBFF",
            "\uDC00", "\uDFFF", "x\uD800y", "\"", "\\", "/", "</", "</script>", "\u2028", "\u2029", "\u0000", "\u0001",
            "\b", "\f", "\n", "\r", "\t", "\u001F", "\u007F", "\u0080", "\u00A0", "\u00FF", "\uFEFF", "\uFFFD", "\uFFFF",
            " ", "{\"schema\":null}", "'", "<>&", "\\u0041",
    };
    static final float[] AWKWARD_FLOATS = {
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, 0.1f, 1f / 3, 1f, -1f, 100f, 1e-3f, 9.999e-4f, 1e7f, 9999999f,
            1.0E10f, 123456.79f, 16777217f, Float.intBitsToFloat(0x7fc00001),
    };
    static final double[] AWKWARD_DOUBLES = {
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0d, -0d, Double.MIN_VALUE, -Double.MIN_VALUE,
            Double.MAX_VALUE, Double.MIN_NORMAL, 0.1, 0.1 + 0.2, 1d / 3, 1d, -1d, 1e-3, 9.999999999999999e-4, 1e7,
            9999999.999999998, 1e21, 1e22, 1e23, 9007199254740993d, 2.2250738585072011e-308, 4.35, 1e-300,
            Double.longBitsToDouble(0x7ff8000000000001L),
    };
    static final long[] AWKWARD_LONGS = {
            Long.MIN_VALUE, Long.MAX_VALUE, 0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
            Integer.MIN_VALUE - 1L, Short.MIN_VALUE, Short.MAX_VALUE, Byte.MIN_VALUE, Byte.MAX_VALUE, 9_007_199_254_740_993L,
            1_000_000_000_000_000_000L, -999_999_999_999_999_999L,
    };
    private static final String[] FIELD_NAMES = {"id", "value", "trip_id", "été", "a b", "\"quoted\"", "back\\slash", "", "\u2028"};
    private static final long MILLIS_PER_DAY = 24 * 60 * 60 * 1000L;

    private final Random random;

    RandomConnectData(Random random) {
        this.random = random;
    }

    /** A schema nesting arrays, maps and structs up to depth levels deep. */
    Schema schema(int depth) {
        SchemaBuilder builder = builderOfAnyType(depth);
        if (builder.name() == null && random.nextInt(4) == 0) {
            builder.name("pipeline.test." + text());
        }
        if (builder.version() == null && random.nextInt(5) == 0) {
            builder.version((int) awkwardLong());
        }
        if (builder.doc() == null && random.nextInt(5) == 0) {
            builder.doc(text());
        }
        if (random.nextInt(5) == 0) {
            // fixed keys in a fixed order: schemas equal in parameters then also write them alike
            for (int i = 0; i < 1 + random.nextInt(3); i++) {
                builder.parameter("p" + i, text());
            }
        }
        if (random.nextBoolean()) {
            builder.optional();
        }
        // JsonConverter fails on a struct default: the default's schema never equals the schema holding it
        if (builder.type() != Schema.Type.STRUCT && random.nextInt(5) == 0) {
            builder.defaultValue(nonNullValue(builder.build()));
        }
        return builder.build();
    }

    private SchemaBuilder builderOfAnyType(int depth) {
        int kind = random.nextInt(depth > 0 ? 26 : 20);
        return switch (kind) {
            case 0 -> SchemaBuilder.int8();
            case 1 -> SchemaBuilder.int16();
            case 2 -> SchemaBuilder.int32();
            case 3 -> SchemaBuilder.int64();
            case 4 -> SchemaBuilder.float32();
            case 5 -> SchemaBuilder.float64();
            case 6 -> SchemaBuilder.bool();
            case 7, 8 -> SchemaBuilder.string();
            case 9 -> SchemaBuilder.bytes();
            case 10, 11 -> Decimal.builder(random.nextInt(45) - 5).parameter("connect.decimal.precision", "38");
            case 12 -> Date.builder();
            case 13 -> Time.builder();
            case 14 -> Timestamp.builder();
            case 15 -> ZonedTimestamp.builder();
            case 16 -> MicroTimestamp.builder();
            case 17 -> io.debezium.time.Date.builder();
            case 18 -> Json.builder();
            case 19 -> VariableScaleDecimal.builder();
            case 20, 21 -> SchemaBuilder.array(schema(depth - 1));
            case 22 -> SchemaBuilder.map(stringSchema(), schema(depth - 1));
            case 23 -> SchemaBuilder.map(schema(depth - 1), schema(depth - 1));
            default -> struct(depth);
        };
    }

    private Schema stringSchema() {
        SchemaBuilder string = SchemaBuilder.string();
        if (random.nextBoolean()) {
            string.optional();
        }
        if (random.nextInt(4) == 0) {
            string.defaultValue(text());
        }
        return string.build();
    }

    private SchemaBuilder struct(int depth) {
        SchemaBuilder struct = SchemaBuilder.struct();
        int fields = random.nextInt(7);
        for (int i = 0; i < fields; i++) {
            struct.field(FIELD_NAMES[random.nextInt(FIELD_NAMES.length)] + i, schema(depth - 1));
        }
        return struct;
    }

    /**
     * A value for the schema, now and then null where the schema is optional; Connect lets a struct
     * field or a whole record be null where the schema only has a default, so those are drawn by the
     * callers.
     */
    Object value(Schema schema) {
        if (schema.isOptional() && random.nextInt(4) == 0) {
            return null;
        }
        return nonNullValue(schema);
    }

    /** A record value or struct field: also null where the schema has a default, which JsonConverter refuses unless the schema is optional. */
    Object valueOrUnset(Schema schema) {
        if (schema.defaultValue() != null && random.nextInt(4) == 0) {
            return null;
        }
        return value(schema);
    }

    private Object nonNullValue(Schema schema) {
        if (schema.name() != null) {
            switch (schema.name()) {
                case Decimal.LOGICAL_NAME:
                    return new BigDecimal(unscaledDecimal(), Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD)));
                case Date.LOGICAL_NAME:
                    return new java.util.Date((random.nextInt(200_000) - 100_000) * MILLIS_PER_DAY);
                case Time.LOGICAL_NAME:
                    // Connect's Time takes 24:00 too
                    return new java.util.Date(random.nextBoolean() ? random.nextInt((int) MILLIS_PER_DAY + 1) : MILLIS_PER_DAY);
                case Timestamp.LOGICAL_NAME:
                    return new java.util.Date(random.nextBoolean() ? awkwardLong() : random.nextLong());
                case ZonedTimestamp.SCHEMA_NAME:
                    return ZonedTimestamp.toIsoString(OffsetDateTime.ofInstant(
                            Instant.ofEpochSecond(random.nextInt(), random.nextInt(1_000_000_000)), ZoneOffset.UTC), null);
                default:
                    break;
            }
        }
        return switch (schema.type()) {
            case INT8 -> (byte) (random.nextBoolean() ? awkwardLong() : random.nextInt());
            case INT16 -> (short) (random.nextBoolean() ? awkwardLong() : random.nextInt());
            case INT32 -> (int) (random.nextBoolean() ? awkwardLong() : random.nextInt());
            case INT64 -> random.nextBoolean() ? awkwardLong() : random.nextLong();
            case FLOAT32 -> switch (random.nextInt(3)) {
                case 0 -> AWKWARD_FLOATS[random.nextInt(AWKWARD_FLOATS.length)];
                case 1 -> Float.intBitsToFloat(random.nextInt());
                default -> (float) (random.nextGaussian() * Math.pow(10, random.nextInt(20) - 10));
            };
            case FLOAT64 -> switch (random.nextInt(3)) {
                case 0 -> AWKWARD_DOUBLES[random.nextInt(AWKWARD_DOUBLES.length)];
                case 1 -> Double.longBitsToDouble(random.nextLong());
                default -> random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
            };
            case BOOLEAN -> random.nextBoolean();
            case STRING -> text();
            case BYTES -> bytes();
            case ARRAY -> {
                List<Object> elements = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    elements.add(value(schema.valueSchema()));
                }
                yield elements;
            }
            case MAP -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(value(schema.keySchema()), value(schema.valueSchema()));
                }
                yield map;
            }
            case STRUCT -> {
                Struct struct = new Struct(schema);
                for (Field field : schema.fields()) {
                    Object fieldValue = valueOrUnset(field.schema());
                    if (fieldValue != null) {
                        struct.put(field, fieldValue);
                    }
                }
                yield struct;
            }
        };
    }

    /** A value of no schema: what JsonConverter infers a type for from its Java class. */
    Object schemalessValue(int depth) {
        int kind = random.nextInt(depth > 0 ? 14 : 11);
        return switch (kind) {
            case 0 -> (byte) random.nextInt();
            case 1 -> (short) random.nextInt();
            case 2 -> random.nextInt();
            case 3 -> awkwardLong();
            case 4 -> AWKWARD_FLOATS[random.nextInt(AWKWARD_FLOATS.length)];
            case 5 -> AWKWARD_DOUBLES[random.nextInt(AWKWARD_DOUBLES.length)];
            case 6 -> random.nextBoolean();
            case 7, 8 -> text();
            case 9, 10 -> bytes();
            case 11 -> {
                List<Object> elements = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    elements.add(random.nextInt(6) == 0 ? null : schemalessValue(depth - 1));
                }
                yield elements;
            }
            default -> {
                // all keys strings gives a JSON object, any other key an array of pairs
                boolean stringKeys = random.nextBoolean();
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    Object key = stringKeys ? text() : random.nextInt(6) == 0 ? null : schemalessValue(0);
                    map.put(key, random.nextInt(6) == 0 ? null : schemalessValue(depth - 1));
                }
                yield map;
            }
        };
    }

    private BigInteger unscaledDecimal() {
        return switch (random.nextInt(4)) {
            case 0 -> BigInteger.valueOf(awkwardLong());
            case 1 -> BigInteger.valueOf(random.nextInt(2001) - 1000);
            default -> new BigInteger(random.nextInt(400), random).multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
        };
    }

    /** Either array form JsonConverter accepts; of a ByteBuffer it writes the whole backing array. */
    private Object bytes() {
        byte[] bytes = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(40)];
        random.nextBytes(bytes);
        return switch (random.nextInt(3)) {
            case 0 -> bytes;
            case 1 -> ByteBuffer.wrap(bytes);
            default -> {
                int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
                yield ByteBuffer.wrap(bytes, offset, bytes.length - offset).slice();
            }
        };
    }

    private String text() {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(6); i > 0; i--) {
            switch (random.nextInt(3)) {
                case 0 -> text.append(AWKWARD_TEXTS[random.nextInt(AWKWARD_TEXTS.length)]);
                case 1 -> text.append((char) random.nextInt(0x10000));
                default -> text.appendCodePoint(random.nextInt(0x80));
            }
        }
        return text.toString();
    }

    private long awkwardLong() {
        return AWKWARD_LONGS[random.nextInt(AWKWARD_LONGS.length)];
    }
}
