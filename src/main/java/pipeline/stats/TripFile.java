package pipeline.stats;

import java.util.Set;

/**
 * The rows of one raw lake file as the statistics need them, column by column in primitive arrays.
 * Every file has the key and the change position; a file of the month's partitions also has the
 * trip columns ({@link #hasTrips()}).
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

    /** Number in the run's {@link VehicleDictionary}, or {@link #NO_TRIP}. */
    int[] vehicle;
    long[] startMicros;
    /** Zero-based day of the month of the start, in the statistics' zone. */
    byte[] startDay;
    long[] endMicros;
    boolean[] hasEnd;
    double[] distance;
    boolean[] hasDistance;
    /** The optional trip columns (vehicle, end, distance) this file has; older files may lack a column added later. */
    Set<String> optionalColumns = Set.of();

    TripFile(int rows, long[] longKeys, Object[] otherKeys, long[] lsn, long[] kafkaOffset) {
        this.rows = rows;
        this.longKeys = longKeys;
        this.otherKeys = otherKeys;
        this.lsn = lsn;
        this.kafkaOffset = kafkaOffset;
    }

    boolean hasTrips() {
        return vehicle != null;
    }
}
