package pipeline.cdc;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;

import io.debezium.data.Envelope;
import io.debezium.schema.SchemaFactory;
import io.debezium.time.ZonedTimestamp;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Random Debezium Postgres change records of table public.trip, built with Debezium's own schema
 * classes the way its connector builds them, each schema once per table version.
 */
public final class TripChangeEvents {

    public static final String TOPIC = "cdc.public.trip";

    private static final Schema KEY = SchemaBuilder.struct().name("cdc.public.trip.Key")
            .field("trip_id", Schema.INT64_SCHEMA)
            .build();
    private static final Schema SOURCE = SchemaFactory.get().sourceInfoSchemaBuilder()
            .name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    private static final Instant START = Instant.parse("2024-03-01T00:00:00Z");

    private final Random random;
    private final Schema row;
    private final Envelope envelope;
    private final boolean hasFare;
    private long lsn = 24_023_928L;
    private long txId = 571L;

    private TripChangeEvents(Random random, boolean hasFare) {
        this.random = random;
        this.hasFare = hasFare;
        SchemaBuilder row = SchemaBuilder.struct().name("cdc.public.trip.Value").optional()
                .field("trip_id", Schema.INT64_SCHEMA)
                .field("vehicle_id", Schema.STRING_SCHEMA)
                .field("started_at", ZonedTimestamp.builder().build())
                .field("ended_at", ZonedTimestamp.builder().optional().build())
                .field("distance_km", Decimal.builder(3).parameter("connect.decimal.precision", "10").optional().build());
        if (hasFare) {
            row.field("fare", Decimal.builder(2).parameter("connect.decimal.precision", "8").optional().build());
        }
        this.row = row.build();
        this.envelope = Envelope.defineSchema().withName("cdc.public.trip.Envelope")
                .withRecord(this.row).withSource(SOURCE).build();
    }

    /** The table as created: trip_id, vehicle_id, started_at, ended_at, distance_km. */
    public static TripChangeEvents fiveColumns(Random random) {
        return new TripChangeEvents(random, false);
    }

    /** The table after ALTER TABLE trip ADD COLUMN fare numeric(8,2). */
    public static TripChangeEvents withFareColumn(Random random) {
        return new TripChangeEvents(random, true);
    }

    /** Mostly inserts and updates of finished trips, some snapshot reads, deletes and their tombstones. */
    public SourceRecord next() {
        long tripId = 1 + random.nextInt(1_000_000);
        int kind = random.nextInt(20);
        if (kind < 2) {
            return change(tripId, envelope.read(trip(tripId), source(randomSnapshot()), timestamp()));
        }
        if (kind < 10) {
            return change(tripId, envelope.create(trip(tripId), source(null), timestamp()));
        }
        if (kind < 18) {
            Struct before = random.nextBoolean() ? trip(tripId) : null;
            return change(tripId, envelope.update(before, trip(tripId), source(null), timestamp()));
        }
        if (kind < 19) {
            return change(tripId, envelope.delete(trip(tripId), source(null), timestamp()));
        }
        return tombstone(tripId);
    }

    /** What Debezium sends after a delete so that compaction can drop the key. */
    public SourceRecord tombstone(long tripId) {
        return new SourceRecord(Map.of("server", "cdc"), Map.of("lsn", lsn), TOPIC, null, KEY, key(tripId), null, null);
    }

    private SourceRecord change(long tripId, Struct value) {
        if (random.nextInt(4) == 0) {
            Schema transaction = envelope.schema().field("transaction").schema();
            value.put("transaction", new Struct(transaction).put("id", txId + ":" + lsn)
                    .put("total_order", 1L + random.nextInt(100)).put("data_collection_order", 1L + random.nextInt(100)));
        }
        return new SourceRecord(Map.of("server", "cdc"), Map.of("lsn", lsn), TOPIC, null, KEY, key(tripId), envelope.schema(), value);
    }

    private static Struct key(long tripId) {
        return new Struct(KEY).put("trip_id", tripId);
    }

    private Struct trip(long tripId) {
        Instant started = START.plusMillis(random.nextInt(31 * 24 * 3600) * 1000L).plusNanos(random.nextInt(1_000_000) * 1000L);
        Struct trip = new Struct(row)
                .put("trip_id", tripId)
                .put("vehicle_id", "vehicle-" + random.nextInt(5_000))
                .put("started_at", isoString(started));
        if (random.nextInt(10) > 0) {
            trip.put("ended_at", isoString(started.plusSeconds(60 + random.nextInt(7200))));
            trip.put("distance_km", BigDecimal.valueOf(random.nextInt(100_000_000), 3));
            if (hasFare) {
                trip.put("fare", BigDecimal.valueOf(random.nextInt(1_000_000), 2));
            }
        }
        return trip;
    }

    private Struct source(String snapshot) {
        lsn += 56 + random.nextInt(400);
        if (random.nextInt(8) == 0) {
            txId++;
        }
        Instant committed = timestamp().minusMillis(random.nextInt(50));
        Struct source = new Struct(SOURCE)
                .put("version", "3.4.0.Final")
                .put("connector", "postgresql")
                .put("name", "cdc")
                .put("ts_ms", committed.toEpochMilli())
                .put("db", "trips")
                .put("sequence", "[\"" + (lsn - 56) + "\",\"" + lsn + "\"]")
                .put("ts_us", committed.toEpochMilli() * 1000)
                .put("ts_ns", committed.toEpochMilli() * 1_000_000)
                .put("schema", "public")
                .put("table", "trip")
                .put("txId", txId)
                .put("lsn", lsn);
        // while streaming Debezium leaves snapshot unset and its schema's default "false" is written
        if (snapshot != null) {
            source.put("snapshot", snapshot);
        }
        return source;
    }

    private String randomSnapshot() {
        return switch (random.nextInt(3)) {
            case 0 -> "first";
            case 1 -> "true";
            default -> "last";
        };
    }

    private Instant timestamp() {
        return START.plusMillis(random.nextInt(Integer.MAX_VALUE));
    }

    private static String isoString(Instant instant) {
        return ZonedTimestamp.toIsoString(OffsetDateTime.ofInstant(instant, ZoneOffset.UTC), null);
    }
}
