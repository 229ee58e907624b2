package pipeline.lake;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;

import org.apache.kafka.connect.data.Field;

/**
 * Where a change event lives in the raw lake:
 * {@code raw/{schema}.{table}/year=YYYY/month=MM/day=DD/{topic}-p{partition}-o{firstOffset}.parquet}.
 * The day is the trip's start for the statistics table and the commit time for every other table
 * (or when the row image lacks the start, as a delete under the default replica identity does).
 */
public final class LakeLayout {

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
            Field start = event.rowSchema().field(startColumn);
            Object value = start == null ? null : event.row().get(start);
            if (value != null && !(event.isDelete() && isZero(value))) {
                return localDate(start.schema().name(), value);
            }
        }
        return Instant.ofEpochMilli(event.sourceTsMs()).atZone(zone).toLocalDate();
    }

    /**
     * Under the default replica identity a delete's old row holds only the key, and Debezium fills
     * its NOT NULL columns with the type's zero (the epoch): that start is absent, not 1970.
     */
    private static boolean isZero(Object value) {
        return value instanceof String iso ? RowMapping.epochMicros(iso) == 0
                : value instanceof Date date ? date.getTime() == 0
                : value instanceof Number number && number.longValue() == 0;
    }

    public static String objectKey(String table, LocalDate day, String topic, int partition, long firstOffset) {
        return String.format("raw/%s/year=%04d/month=%02d/day=%02d/%s-p%d-o%020d.parquet",
                table, day.getYear(), day.getMonthValue(), day.getDayOfMonth(), topic, partition, firstOffset);
    }

    private LocalDate localDate(String logicalName, Object value) {
        if (value instanceof String iso) {
            return Instant.ofEpochSecond(0, RowMapping.epochMicros(iso) * 1000L).atZone(zone).toLocalDate();
        }
        if (value instanceof Date date) {
            return Instant.ofEpochMilli(date.getTime()).atZone(zone).toLocalDate();
        }
        if (value instanceof Long wallTime) {
            // Debezium sends a timestamp without time zone as the wall time counted from the epoch in UTC
            long micros = switch (logicalName == null ? "" : logicalName) {
                case "io.debezium.time.Timestamp" -> wallTime * 1000L;
                case "io.debezium.time.NanoTimestamp" -> wallTime / 1000L;
                default -> wallTime;
            };
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC).toLocalDate();
        }
        if (value instanceof Integer epochDay) {
            return LocalDate.ofEpochDay(epochDay);
        }
        throw new MalformedChangeEventException("start column " + startColumn + " has unsupported type " + value.getClass().getSimpleName());
    }
}
