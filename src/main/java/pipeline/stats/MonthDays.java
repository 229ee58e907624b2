package pipeline.stats;

import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * The day boundaries of one month in the statistics' zone, as epoch microseconds, so that the day of
 * millions of starts is a search among 32 numbers instead of a time-zone conversion each.
 */
final class MonthDays {

    private final int length;
    /** Start of each day in the zone, then the start of the next month. */
    private final long[] instantBoundaries;
    /** The same for wall times without zone, counted as if they were UTC. */
    private final long[] wallBoundaries;

    MonthDays(YearMonth month, ZoneId zone) {
        length = month.lengthOfMonth();
        instantBoundaries = new long[length + 1];
        wallBoundaries = new long[length + 1];
        for (int day = 0; day <= length; day++) {
            LocalDate date = month.atDay(1).plusDays(day);
            instantBoundaries[day] = date.atStartOfDay(zone).toEpochSecond() * 1_000_000L;
            wallBoundaries[day] = date.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        }
    }

    /** Zero-based day of the month of a start, or -1 when it lies outside the month. */
    int dayOf(long micros, boolean wallTime) {
        long[] boundaries = wallTime ? wallBoundaries : instantBoundaries;
        if (micros < boundaries[0] || micros >= boundaries[length]) {
            return -1;
        }
        int found = Arrays.binarySearch(boundaries, micros);
        return found >= 0 ? found : -found - 2;
    }
}
