package pipeline.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import pipeline.lake.InMemoryInputFile;
import pipeline.lake.LakeFormat;
import pipeline.lake.ParquetBytes;

/** The statistics' files: one Snappy Parquet file of a month's rows and its {@code _SUCCESS} manifest. */
public final class StatisticsOutput {

    private static final Schema TIMESTAMP = LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    static final Schema SCHEMA = SchemaBuilder.record("vehicle_monthly").namespace("trip_pipeline.stats").fields()
            .requiredString("vehicle_id")
            .requiredString("month")
            .requiredLong("trip_count")
            .requiredDouble("total_distance_km")
            .optionalDouble("avg_distance_km")
            .optionalDouble("max_distance_km")
            .optionalDouble("median_distance_km")
            .requiredDouble("total_duration_s")
            .optionalDouble("avg_duration_s")
            .optionalDouble("p95_duration_s")
            .optionalDouble("avg_speed_kmh")
            .name("first_trip_start").type(TIMESTAMP).noDefault()
            .name("last_trip_end").type().optional().type(TIMESTAMP)
            .requiredLong("active_days")
            .requiredLong("delay_trips")
            .optionalDouble("delay_p50_s")
            .optionalDouble("delay_p95_s")
            .optionalDouble("delay_max_s")
            .endRecord();

    static final String ROOT = "stats/vehicle_monthly/";
    private static final Pattern MANIFEST = Pattern.compile(Pattern.quote(ROOT) + "year=(\\d{4})/month=(\\d{2})/_SUCCESS");
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatisticsOutput() {
    }

    public static String prefix(YearMonth month) {
        return String.format(ROOT + "year=%04d/month=%02d/", month.getYear(), month.getMonthValue());
    }

    /** The month whose manifest an object key names, if it names one. */
    static Optional<YearMonth> publishedMonth(String key) {
        Matcher manifest = MANIFEST.matcher(key);
        return manifest.matches()
                ? Optional.of(YearMonth.of(Integer.parseInt(manifest.group(1)), Integer.parseInt(manifest.group(2))))
                : Optional.empty();
    }

    public static byte[] parquet(List<VehicleMonth> rows) {
        ParquetBytes output = new ParquetBytes();
        try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(output, SCHEMA)) {
            for (VehicleMonth row : rows) {
                GenericData.Record record = new GenericData.Record(SCHEMA);
                record.put("vehicle_id", row.vehicleId());
                record.put("month", row.month());
                record.put("trip_count", row.tripCount());
                record.put("total_distance_km", row.totalDistanceKm());
                record.put("avg_distance_km", row.avgDistanceKm());
                record.put("max_distance_km", row.maxDistanceKm());
                record.put("median_distance_km", row.medianDistanceKm());
                record.put("total_duration_s", row.totalDurationS());
                record.put("avg_duration_s", row.avgDurationS());
                record.put("p95_duration_s", row.p95DurationS());
                record.put("avg_speed_kmh", row.avgSpeedKmh());
                record.put("first_trip_start", row.firstTripStartMicros());
                record.put("last_trip_end", row.lastTripEndMicros());
                record.put("active_days", row.activeDays());
                record.put("delay_trips", row.delayTrips());
                record.put("delay_p50_s", row.delayP50S());
                record.put("delay_p95_s", row.delayP95S());
                record.put("delay_max_s", row.delayMaxS());
                writer.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }

    public static byte[] manifest(YearMonth month, List<VehicleMonth> rows, LakeTrips.Reading reading, boolean lakeCaughtUp,
            long revision, StatisticsJob.Reason reason) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("month", month.toString());
        manifest.put("revision", revision);
        manifest.put("reason", reason.label);
        manifest.put("computed_at", Instant.now().toString());
        manifest.put("vehicles", rows.size());
        manifest.put("trips", rows.stream().mapToLong(VehicleMonth::tripCount).sum());
        manifest.put("source_files", reading.files());
        manifest.put("events_read", reading.events());
        manifest.put("lake_caught_up", lakeCaughtUp);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A published manifest's revision; 1 for a manifest written before revisions were counted. */
    static long revision(byte[] manifest) {
        try {
            return JSON.readTree(manifest).path("revision").asLong(1);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable statistics manifest: " + e.getMessage(), e);
        }
    }

    /** The rows of a published statistics file; columns it lacks (written by an older version) read as null. */
    static List<VehicleMonth> rows(byte[] parquet) {
        List<VehicleMonth> rows = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new InMemoryInputFile(parquet),
                new PlainParquetConfiguration())
                .withDataModel(GenericData.get()).build()) {
            for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
                rows.add(new VehicleMonth(String.valueOf(record.get("vehicle_id")), String.valueOf(record.get("month")),
                        (Long) record.get("trip_count"), (Double) record.get("total_distance_km"), (Double) record.get("avg_distance_km"),
                        (Double) record.get("max_distance_km"), (Double) record.get("median_distance_km"),
                        (Double) record.get("total_duration_s"), (Double) record.get("avg_duration_s"),
                        (Double) record.get("p95_duration_s"), (Double) record.get("avg_speed_kmh"),
                        (Long) record.get("first_trip_start"), (Long) record.get("last_trip_end"), (Long) record.get("active_days"),
                        record.get("delay_trips") == null ? -1 : (Long) record.get("delay_trips"), (Double) record.get("delay_p50_s"),
                        (Double) record.get("delay_p95_s"), (Double) record.get("delay_max_s")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable published statistics: " + e.getMessage(), e);
        }
        return rows;
    }

    /**
     * Whether two results of a month are the same: every vehicle with equal counts and instants, and
     * doubles equal within a relative 1e-12, the rounding of the same sums added in another order.
     */
    static boolean sameResult(List<VehicleMonth> published, List<VehicleMonth> computed) {
        if (published.size() != computed.size()) {
            return false;
        }
        for (int i = 0; i < published.size(); i++) {
            VehicleMonth a = published.get(i);
            VehicleMonth b = computed.get(i);
            boolean same = a.vehicleId().equals(b.vehicleId()) && a.month().equals(b.month()) && a.tripCount() == b.tripCount()
                    && a.firstTripStartMicros() == b.firstTripStartMicros() && Objects.equals(a.lastTripEndMicros(), b.lastTripEndMicros())
                    && a.activeDays() == b.activeDays() && a.delayTrips() == b.delayTrips()
                    && close(a.totalDistanceKm(), b.totalDistanceKm()) && close(a.avgDistanceKm(), b.avgDistanceKm())
                    && close(a.maxDistanceKm(), b.maxDistanceKm()) && close(a.medianDistanceKm(), b.medianDistanceKm())
                    && close(a.totalDurationS(), b.totalDurationS()) && close(a.avgDurationS(), b.avgDurationS())
                    && close(a.p95DurationS(), b.p95DurationS()) && close(a.avgSpeedKmh(), b.avgSpeedKmh())
                    && close(a.delayP50S(), b.delayP50S()) && close(a.delayP95S(), b.delayP95S()) && close(a.delayMaxS(), b.delayMaxS());
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(Double a, Double b) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        return a.equals(b) || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
    }
}
