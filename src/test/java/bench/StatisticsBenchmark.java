package bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import pipeline.lake.ChangeEvent;
import pipeline.lake.LakeFormat;
import pipeline.lake.RowMapping;
import pipeline.stats.LakeTrips;
import pipeline.stats.MonthlyStatistics;
import pipeline.stats.TripColumns;
import pipeline.stats.VehicleMonth;

/**
 * The monthly statistics over a month of N change events on V vehicles, in local Snappy Parquet
 * files laid out like the lake, against DuckDB computing the same statistics on the same files,
 * side by side in one run. Run it with the heap limit to check (e.g. -Xmx512m).
 */
public final class StatisticsBenchmark {

    static final Schema ROW = SchemaBuilder.struct().name("cdc.public.trip.Value")
            .field("trip_id", Schema.INT64_SCHEMA)
            .field("vehicle_id", Schema.STRING_SCHEMA)
            .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
            .field("ended_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
            .field("distance_km", Decimal.builder(3).parameter("connect.decimal.precision", "10").optional().build())
            .build();
    private static final int EVENTS_PER_FILE = 50_000;

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        int vehicles = Integer.parseInt(args[1]);
        Path lake = Path.of(args[2]);
        YearMonth month = YearMonth.of(2024, 3);
        if (!Files.exists(lake)) {
            generate(lake, events, vehicles);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(lake)) {
            files = walk.filter(p -> p.toString().endsWith(".parquet")).sorted().toList();
        }

        System.gc();
        long start = System.nanoTime();
        MonthlyStatistics statistics = new MonthlyStatistics(month);
        LakeTrips.Reading reading = new LakeTrips(new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km"),
                ZoneId.of("UTC"), null)
                .read(month, files.stream().map(Path::toString).toList(), () -> path -> List.of(bytes(path)), statistics);
        List<VehicleMonth> ours = statistics.result();
        double oursSeconds = (System.nanoTime() - start) / 1e9;

        double duckdbSeconds;
        List<VehicleMonth> duckdb = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = connection.createStatement()) {
            statement.execute("SET threads = 2");
            long duckStart = System.nanoTime();
            try (ResultSet result = statement.executeQuery(
                    """
                            WITH events AS (
                              SELECT trip_id, vehicle_id, started_at, ended_at, distance_km::DOUBLE AS d, __deleted, __op, __source_ts_ms,
                                     row_number() OVER (PARTITION BY trip_id ORDER BY __lsn DESC, __kafka_offset DESC) AS version
                              FROM read_parquet('%s/**/*.parquet')),
                            latest AS (
                              SELECT * FROM events WHERE version = 1 AND NOT __deleted
                                AND started_at >= TIMESTAMPTZ '2024-03-01 00:00:00+00' AND started_at < TIMESTAMPTZ '2024-04-01 00:00:00+00'),
                            delays AS (
                              SELECT latest.trip_id, (min(events.__source_ts_ms) * 1000 - epoch_us(latest.ended_at)) / 1e6 AS delay
                              FROM latest JOIN events ON events.trip_id = latest.trip_id AND events.ended_at = latest.ended_at
                                                     AND events.__op IN ('c', 'u')
                              GROUP BY latest.trip_id, latest.ended_at),
                            t AS (SELECT *, CASE WHEN ended_at >= started_at THEN epoch(ended_at - started_at) END AS dur
                                  FROM latest LEFT JOIN delays USING (trip_id))
                            SELECT vehicle_id, count(*), coalesce(sum(d), 0), avg(d), max(d), quantile_cont(d, 0.5), coalesce(sum(dur), 0),
                                   avg(dur), quantile_cont(dur, 0.95),
                                   3600 * sum(d) FILTER (WHERE dur > 0 AND d IS NOT NULL) / nullif(sum(dur) FILTER (WHERE dur > 0 AND d IS NOT NULL), 0),
                                   epoch_us(min(started_at)), epoch_us(max(ended_at)), count(DISTINCT started_at::DATE),
                                   count(delay), quantile_cont(delay, 0.5), quantile_cont(delay, 0.95), max(delay)
                            FROM t GROUP BY vehicle_id ORDER BY vehicle_id"""
                            .formatted(lake))) {
                while (result.next()) {
                    duckdb.add(new VehicleMonth(result.getString(1), month.toString(), result.getLong(2), result.getDouble(3),
                            nullable(result, 4), nullable(result, 5), nullable(result, 6), result.getDouble(7), nullable(result, 8),
                            nullable(result, 9), nullable(result, 10), result.getLong(11),
                            result.getObject(12) == null ? null : result.getLong(12), result.getLong(13),
                            result.getLong(14), nullable(result, 15), nullable(result, 16), nullable(result, 17)));
                }
            }
            duckdbSeconds = (System.nanoTime() - duckStart) / 1e9;
        }
        String equal = equal(ours, duckdb) ? "equal" : "DIFFERENT";
        System.out.printf("Statistics of %s over %,d events in %,d files: trip-pipeline %.2f s (%,.0f events/s, %,d vehicles, "
                + "heap limit %,d MB); DuckDB %.2f s (%,d vehicles); ratio %.2f; results %s%n",
                month, reading.events(), reading.files(), oursSeconds, reading.events() / oursSeconds, ours.size(),
                Runtime.getRuntime().maxMemory() >> 20, duckdbSeconds, duckdb.size(), oursSeconds / duckdbSeconds, equal);
    }

    private static Double nullable(ResultSet result, int column) throws java.sql.SQLException {
        double value = result.getDouble(column);
        return result.wasNull() ? null : value;
    }

    /** Counts and instants exact, doubles within a relative 1e-9, as the contract asks. */
    static boolean equal(List<VehicleMonth> ours, List<VehicleMonth> theirs) {
        if (ours.size() != theirs.size()) {
            return false;
        }
        for (int i = 0; i < ours.size(); i++) {
            VehicleMonth a = ours.get(i);
            VehicleMonth b = theirs.get(i);
            boolean same = a.vehicleId().equals(b.vehicleId()) && a.tripCount() == b.tripCount() && a.activeDays() == b.activeDays()
                    && a.firstTripStartMicros() == b.firstTripStartMicros() && Objects.equals(a.lastTripEndMicros(), b.lastTripEndMicros())
                    && close(a.totalDistanceKm(), b.totalDistanceKm()) && close(a.avgDistanceKm(), b.avgDistanceKm())
                    && close(a.maxDistanceKm(), b.maxDistanceKm()) && close(a.medianDistanceKm(), b.medianDistanceKm())
                    && close(a.totalDurationS(), b.totalDurationS()) && close(a.avgDurationS(), b.avgDurationS())
                    && close(a.p95DurationS(), b.p95DurationS()) && close(a.avgSpeedKmh(), b.avgSpeedKmh())
                    && a.delayTrips() == b.delayTrips() && close(a.delayP50S(), b.delayP50S())
                    && close(a.delayP95S(), b.delayP95S()) && close(a.delayMaxS(), b.delayMaxS());
            if (!same) {
                System.out.println("first difference:\n  trip-pipeline " + a + "\n  DuckDB        " + b);
                return false;
            }
        }
        return true;
    }

    private static boolean close(Double a, Double b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    private static byte[] bytes(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * 60 % trip starts, 35 % updates finishing a trip, 5 % deletes, trips starting from late February
     * to early April, commit times over the same 45 days; files partitioned by start month like the
     * lake (deletes by commit time: April).
     */
    private static void generate(Path lake, int events, int vehicles) throws IOException {
        RowMapping mapping = RowMapping.of("public.trip", ROW);
        Random random = new Random(1);
        Instant from = Instant.parse("2024-02-25T00:00:00Z");
        long span = 45L * 86_400;
        int trips = 0;
        long[] startSeconds = new long[events];
        int[] vehicleOf = new int[events];
        for (int file = 0; file * EVENTS_PER_FILE < events; file++) {
            java.util.Map<String, ParquetWriter<GenericRecord>> writers = new java.util.HashMap<>();
            for (int i = 0; i < EVENTS_PER_FILE && file * EVENTS_PER_FILE + i < events; i++) {
                long offset = (long) file * EVENTS_PER_FILE + i;
                int kind = trips < 1000 ? 0 : random.nextInt(100);
                String op;
                Object[] row;
                int id;
                if (kind < 60) {
                    id = trips++;
                    startSeconds[id] = from.getEpochSecond() + (long) (random.nextDouble() * span);
                    vehicleOf[id] = random.nextInt(vehicles);
                    row = trip(id, vehicleOf[id], startSeconds[id], null, null);
                    op = "c";
                } else {
                    id = (int) (random.nextDouble() * trips);
                    long end = startSeconds[id] + random.nextInt(7200) - 300;
                    row = trip(id, vehicleOf[id], startSeconds[id], end, BigDecimal.valueOf(random.nextInt(60_000), 3));
                    op = kind < 95 ? "u" : "d";
                }
                String partition = op.equals("d")
                        ? "month=04"
                        : String.format("month=%02d", Instant.ofEpochSecond(startSeconds[id]).atZone(ZoneId.of("UTC")).getMonthValue());
                ParquetWriter<GenericRecord> writer = writers.get(partition);
                if (writer == null) {
                    Path path = lake.resolve("year=2024").resolve(partition).resolve(String.format("part-%05d.parquet", file));
                    Files.createDirectories(path.getParent());
                    writer = LakeFormat.openWriter(new LocalOutputFile(path), mapping.avroSchema());
                    writers.put(partition, writer);
                }
                long commitMillis = from.toEpochMilli() + span * 1000 * offset / events;
                writer.write(mapping.toRecord(new ChangeEvent("public.trip", op, mapping, row, commitMillis, offset + 1_000_000, offset),
                        0, offset));
            }
            for (ParquetWriter<GenericRecord> writer : writers.values()) {
                writer.close();
            }
        }
    }

    /** A row in the lake's form: instants in micros, the decimal as unscaled bytes. */
    static Object[] trip(long id, int vehicle, long startSeconds, Long endSeconds, BigDecimal distance) {
        return new Object[] {id, "vehicle-" + vehicle, startSeconds * 1_000_000L, endSeconds == null ? null : endSeconds * 1_000_000L,
                distance == null ? null : java.nio.ByteBuffer.wrap(distance.unscaledValue().toByteArray())};
    }
}
