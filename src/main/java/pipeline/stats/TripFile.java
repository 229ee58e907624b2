package pipeline.stats;

import java.util.Set;

/**
 * The rows of one raw lake file as the statistics need them, column by column in primitive arrays.
 * Every file has the key, the change's position, kind and commit time, and the end; a file of the
 * month's partitions also has the other trip columns ({@link #hasTrips()}).
 */
final class TripFile {

    /** {@link #vehicle} of a row that is no trip of the month: deleted, starting elsewhere, or without vehicle or start. */
    static final int NO_TRIP = -1;

    final int rows;
    /** The key of each row when the key column is an integer, else null. */
    final long[] longKeys;
    /** The key of each row when the key column is not an integer (text, uuid...), else null. */
    final Object[] otherKeys;
    final long[] lsn;
    final long[] kafkaOffset;
    final boolean[] deleted;
    /** Whether the change was captured from the log ({@code __op} c, u, d) rather than read by the snapshot. */
    final boolean[] captured;
    /** {@code __source_ts_ms}: when the change was committed in the source. */
    final long[] commitMillis;
    /** The end, as stored (wall times counted as UTC), of every file that has the column. */
    long[] endMicros;
    boolean[] hasEnd;

    /** Number in the run's {@link VehicleDictionary}, or {@link #NO_TRIP}. */
    int[] vehicle;
    long[] startMicros;
    /** Zero-based day of the month of the start, in the statistics' zone. */
    byte[] startDay;
    double[] distance;
    boolean[] hasDistance;
    /** Whether the start and end columns are wall times ({@code timestamp}); meaningful when {@link #hasTrips()}. */
    boolean startIsWallTime;
    boolean endIsWallTime;
    /** The optional trip columns (vehicle, end, distance) this file has; older files may lack a column added later. */
    Set<String> optionalColumns = Set.of();

    TripFile(int rows, long[] longKeys, Object[] otherKeys, long[] lsn, long[] kafkaOffset) {
        this.rows = rows;
        this.longKeys = longKeys;
        this.otherKeys = otherKeys;
        this.lsn = lsn;
        this.kafkaOffset = kafkaOffset;
        this.deleted = new boolean[rows];
        this.captured = new boolean[rows];
        this.commitMillis = new long[rows];
    }

    boolean hasTrips() {
        return vehicle != null;
    }
}
