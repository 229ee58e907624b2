package pipeline.stats;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

import pipeline.lake.LakeFormat;

/**
 * How a timestamp column of the lake becomes a real instant. A {@code timestamptz} value is one
 * already. A {@code timestamp} value is a wall time in {@code pipeline.timezone}, read as
 * PostgreSQL's {@code AT TIME ZONE} reads it: a wall time that a spring-forward change skipped
 * takes the offset before the change, one that a fall-back change repeated takes the offset after it.
 */
final class Timeline {

    static final Timeline INSTANTS = new Timeline(null);

    /** Null when the values are instants already. */
    private final ZoneId wallTimeZone;

    private Timeline(ZoneId wallTimeZone) {
        this.wallTimeZone = wallTimeZone;
    }

    static Timeline wallTimeIn(ZoneId zone) {
        return new Timeline(zone);
    }

    boolean isWallTime() {
        return wallTimeZone != null;
    }

    /** The instant, as epoch microseconds, of a value read from the lake (wall times counted from the epoch as if in UTC); infinities stay. */
    long instantMicros(long micros) {
        if (wallTimeZone == null || LakeFormat.isInfiniteMicros(micros)) {
            return micros;
        }
        LocalDateTime wallTime = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
        // java.time moves a skipped wall time forward by the gap, which is the offset before the change
        Instant instant = ZonedDateTime.ofLocal(wallTime, wallTimeZone, null).withLaterOffsetAtOverlap().toInstant();
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Timeline timeline && java.util.Objects.equals(wallTimeZone, timeline.wallTimeZone);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hashCode(wallTimeZone);
    }
}
