package pipeline.lake;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;

/**
 * Where a change event lives in the raw lake:
 * {@code raw/{schema}.{table}/year=YYYY/month=MM/day=DD/{topic}-p{partition}-o{firstOffset}.parquet}.
 * The day is the trip's start for the statistics table and the commit time for every other table
 * (or when the row image lacks the start, as a delete under the default replica identity does, or
 * when the start is infinite).
 */
public final class LakeLayout {

    private static final long MICROS_PER_SECOND = 1_000_000L;

    private final ZoneId zone;
    private final String startTable;
    private final String startColumn;

    public LakeLayout(ZoneId zone, String startTable, String startColumn) {
        this.zone = zone;
        this.startTable = startTable;
        this.startColumn = startColumn;
    }

    public LocalDate partitionDate(ChangeEvent event) {
        if (event.table().equals(startTable)) {
            int start = event.mapping().position(startColumn);
            Object value = start < 0 ? null : event.row()[start];
            LocalDate day = value == null || event.isDelete() && isZero(value)
                    ? null
                    : localDate(event.mapping().logicalType(start), value);
            if (day != null) {
                return day;
            }
        }
        return Instant.ofEpochMilli(event.sourceTsMs()).atZone(zone).toLocalDate();
    }

    /**
     * Under the default replica identity a delete's old row holds only the key, and Debezium fills
     * its NOT NULL columns with the type's zero (the epoch): that start is absent, not 1970.
     */
    private static boolean isZero(Object value) {
        return value instanceof Number number && number.longValue() == 0;
    }

    public static String objectKey(String table, LocalDate day, String topic, int partition, long firstOffset) {
        return String.format("raw/%s/year=%04d/month=%02d/day=%02d/%s-p%d-o%020d.parquet",
                table, day.getYear(), day.getMonthValue(), day.getDayOfMonth(), topic, partition, firstOffset);
    }

    /** The day of a start, or null for none: an infinite start lies in no day. */
    private LocalDate localDate(LogicalType type, Object value) {
        if (value instanceof Long micros && LakeFormat.isInfiniteMicros(micros)
                || value instanceof Integer days && LakeFormat.isInfiniteDays(days)) {
            return null;
        }
        if (type instanceof LogicalTypes.TimestampMicros) {
            long micros = (Long) value;
            return Instant.ofEpochSecond(Math.floorDiv(micros, MICROS_PER_SECOND)).atZone(zone).toLocalDate();
        }
        if (type instanceof LogicalTypes.LocalTimestampMicros) {
            // a timestamp without time zone is the wall time counted from the epoch as if in UTC
            long micros = (Long) value;
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, MICROS_PER_SECOND), 0, ZoneOffset.UTC).toLocalDate();
        }
        if (type instanceof LogicalTypes.Date) {
            return LocalDate.ofEpochDay((Integer) value);
        }
        // not a point in time (a misconfigured start column): the change is kept, in its commit day
        return null;
    }
}
