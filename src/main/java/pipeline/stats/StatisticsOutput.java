package pipeline.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;
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
            .endRecord();

    private StatisticsOutput() {
    }

    public static String prefix(YearMonth month) {
        return String.format("stats/vehicle_monthly/year=%04d/month=%02d/", month.getYear(), month.getMonthValue());
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
                writer.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }

    public static byte[] manifest(YearMonth month, List<VehicleMonth> rows, LakeTrips.Reading reading, boolean lakeCaughtUp) {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("month", month.toString());
        manifest.put("computed_at", Instant.now().toString());
        manifest.put("vehicles", rows.size());
        manifest.put("trips", rows.stream().mapToLong(VehicleMonth::tripCount).sum());
        manifest.put("source_files", reading.files());
        manifest.put("events_read", reading.events());
        manifest.put("lake_caught_up", lakeCaughtUp);
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
