package bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import pipeline.lake.KafkaChange;
import pipeline.lake.LakeBatch;
import pipeline.lake.LakeBatchWriter;
import pipeline.lake.LakeLayout;

/**
 * The lake writer's cost per event on one thread: Debezium envelopes as JsonConverter writes them
 * (real New York taxi trips as the rows, Debezium 3.4's Postgres envelope and source block) decoded
 * and written as Snappy Parquet, in batches of 50,000 like the lake writer's default.
 * <p>
 * {@code mvn -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt &&
 * java -Xmx1g -cp target/test-classes:target/classes:$(cat target/cp.txt) bench.LakeWriterBenchmark [trips.csv] [rounds]}
 */
public final class LakeWriterBenchmark {

    private static final String TOPIC = "cdc.public.trip";
    private static final int BATCH = 50_000;
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static final Schema ROW = SchemaBuilder.struct().name("cdc.public.trip.Value").optional()
            .field("trip_id", Schema.INT64_SCHEMA)
            .field("vehicle_id", Schema.STRING_SCHEMA)
            .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").version(1).build())
            .field("ended_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").version(1).optional().build())
            .field("distance_km", Decimal.builder(3).parameter("connect.decimal.precision", "10").optional().build())
            .build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().name("io.debezium.data.Enum").version(1)
                    .parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
                    .defaultValue("false").optional().build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .field("xmin", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
    private static final Schema TRANSACTION = SchemaBuilder.struct().name("event.block").version(1).optional()
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("cdc.public.trip.Envelope").version(2)
            .field("before", ROW)
            .field("after", ROW)
            .field("source", SOURCE)
            .field("transaction", TRANSACTION)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    private static final JsonConverter CONVERTER = new JsonConverter();

    static {
        CONVERTER.configure(Map.of("schemas.enable", "true"), false);
    }

    private LakeWriterBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path trips = Path.of(args.length > 0 ? args[0] : "../shared/data/nyc_taxi_2013-01-01_debs.csv");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        List<byte[]> envelopes = envelopes(trips);
        long bytes = envelopes.stream().mapToLong(e -> e.length).sum();
        System.out.printf("%,d distinct envelopes of %,d bytes on average; batches of %,d events%n",
                envelopes.size(), bytes / envelopes.size(), BATCH);

        LakeBatchWriter writer = new LakeBatchWriter(new LakeLayout(NEW_YORK, "public.trip", "started_at"), java.time.Clock.systemUTC());
        double[] rates = new double[rounds];
        long offset = 0;
        for (int round = 0; round < rounds; round++) {
            List<KafkaChange> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++, offset++) {
                batch.add(new KafkaChange(TOPIC, 0, offset, null, envelopes.get((int) (offset % envelopes.size()))));
            }
            long start = System.nanoTime();
            batch.forEach(writer::add);
            LakeBatch written = writer.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            rates[round] = BATCH / seconds;
            System.out.printf("round %2d: %,9.0f events/s (%d files, %,d Parquet bytes, %d rejected)%n", round + 1, rates[round],
                    written.files().size(), written.files().stream().mapToLong(f -> f.content().length).sum(), written.rejected().size());
        }
        // the first rounds warm the JIT up; the median of the rest is the figure
        double[] measured = Arrays.copyOfRange(rates, Math.min(5, rounds - 1), rounds);
        Arrays.sort(measured);
        System.out.printf("decode + Snappy Parquet write, one thread: median %,.0f events/s over the last %d rounds%n",
                measured[measured.length / 2], measured.length);
    }

    /** Creates, updates finishing trips, deletes and snapshot reads of the taxi trips, as Debezium's Postgres connector sends them. */
    private static List<byte[]> envelopes(Path trips) throws IOException {
        DateTimeFormatter wallTime = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        Random random = new Random(7);
        List<byte[]> envelopes = new ArrayList<>();
        long lsn = 24_000_000L;
        long id = 0;
        for (String line : Files.readAllLines(trips)) {
            String[] columns = line.split(",");
            id++;
            lsn += 120 + random.nextInt(400);
            String start = LocalDateTime.parse(columns[2], wallTime).atZone(NEW_YORK).toInstant().toString();
            String end = LocalDateTime.parse(columns[3], wallTime).atZone(NEW_YORK).toInstant().toString();
            BigDecimal km = new BigDecimal(columns[5]).multiply(new BigDecimal("1.609344")).setScale(3, RoundingMode.HALF_UP);
            Struct started = new Struct(ROW).put("trip_id", id).put("vehicle_id", columns[0]).put("started_at", start);
            Struct finished = new Struct(ROW).put("trip_id", id).put("vehicle_id", columns[0]).put("started_at", start)
                    .put("ended_at", end).put("distance_km", km);
            long commitMs = 1_357_016_400_000L + id * 180;
            envelopes.add(envelope("c", null, started, commitMs, lsn, id));
            envelopes.add(envelope("u", null, finished, commitMs + 900_000, lsn + 60, id));
            if (random.nextInt(10) == 0) {
                envelopes.add(
                        envelope("d", new Struct(ROW).put("trip_id", id).put("vehicle_id", "").put("started_at", "1970-01-01T00:00:00Z"),
                                null, commitMs + 1_800_000, lsn + 90, id));
            }
            if (random.nextInt(4) == 0) {
                envelopes.add(envelope("r", null, finished, commitMs, lsn, id));
            }
        }
        return envelopes;
    }

    private static byte[] envelope(String op, Struct before, Struct after, long commitMs, long lsn, long txId) {
        Struct source = new Struct(SOURCE).put("version", "3.4.0.Final").put("connector", "postgresql").put("name", "cdc")
                .put("ts_ms", commitMs).put("snapshot", op.equals("r") ? "true" : "false").put("db", "postgres")
                .put("sequence", "[\"" + (lsn - 40) + "\",\"" + lsn + "\"]").put("ts_us", commitMs * 1000)
                .put("ts_ns", commitMs * 1_000_000)
                .put("schema", "public").put("table", "trip").put("txId", 780 + txId).put("lsn", lsn);
        Struct envelope = new Struct(ENVELOPE).put("before", before).put("after", after).put("source", source).put("op", op)
                .put("ts_ms", commitMs + 35).put("ts_us", (commitMs + 35) * 1000).put("ts_ns", (commitMs + 35) * 1_000_000);
        return CONVERTER.fromConnectData(TOPIC, ENVELOPE, envelope);
    }
}
