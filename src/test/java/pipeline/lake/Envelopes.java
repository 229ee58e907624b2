package pipeline.lake;

import java.math.BigDecimal;
import java.util.Map;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/** Debezium change envelopes for table public.trip, serialized as Kafka Connect's JsonConverter does. */
final class Envelopes {

    static final String TOPIC = "cdc.public.trip";

    static final Schema ROW = SchemaBuilder.struct().name("cdc.public.trip.Value")
            .field("trip_id", Schema.INT64_SCHEMA)
            .field("vehicle_id", Schema.STRING_SCHEMA)
            .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
            .field("local_start", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
            .field("trip_date", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
            .field("distance_km", Decimal.builder(3).parameter("connect.decimal.precision", "10").optional().build())
            .field("rating", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .build();

    static final Schema ROW_WITH_FARE = SchemaBuilder.struct().name("cdc.public.trip.Value")
            .field("trip_id", Schema.INT64_SCHEMA)
            .field("vehicle_id", Schema.STRING_SCHEMA)
            .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
            .field("fare", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .build();

    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private static final JsonConverter CONVERTER = new JsonConverter();

    static {
        CONVERTER.configure(Map.of("schemas.enable", "true"), false);
    }

    private Envelopes() {
    }

    static Struct trip(long id, String started) {
        return new Struct(ROW).put("trip_id", id).put("vehicle_id", "v-" + id).put("started_at", started);
    }

    static Struct fullTrip() {
        return trip(7, "2024-03-10T07:30:00.123456Z")
                .put("local_start", 1_710_000_000_123_456L)
                .put("trip_date", 19_792)
                .put("distance_km", new BigDecimal("1234567.891"))
                .put("rating", 4.25);
    }

    static byte[] envelope(String op, Struct before, Struct after, long commitMs, long lsn) {
        Schema rowSchema = (after != null ? after : before).schema();
        Schema optionalRow = SchemaBuilder.struct().name(rowSchema.name()).optional();
        rowSchema.fields().forEach(f -> ((SchemaBuilder) optionalRow).field(f.name(), f.schema()));
        Schema optional = ((SchemaBuilder) optionalRow).build();
        Schema envelopeSchema = SchemaBuilder.struct().name("cdc.public.trip.Envelope")
                .field("before", optional)
                .field("after", optional)
                .field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .build();
        Struct envelope = new Struct(envelopeSchema)
                .put("before", copy(before, optional))
                .put("after", copy(after, optional))
                .put("source", new Struct(SOURCE).put("schema", "public").put("table", "trip")
                        .put("ts_ms", commitMs).put("txId", 500L).put("lsn", lsn))
                .put("op", op)
                .put("ts_ms", commitMs + 5);
        return CONVERTER.fromConnectData(TOPIC, envelopeSchema, envelope);
    }

    private static Struct copy(Struct row, Schema schema) {
        if (row == null) {
            return null;
        }
        Struct copy = new Struct(schema);
        schema.fields().forEach(f -> copy.put(f.name(), row.getWithoutDefault(f.name())));
        return copy;
    }

    static KafkaChange change(int partition, long offset, byte[] value) {
        return new KafkaChange(TOPIC, partition, offset, new byte[] {1}, value);
    }
}
