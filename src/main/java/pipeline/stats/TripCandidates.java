package pipeline.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The latest version seen so far of every key found in the month's partitions, about 80 bytes a
 * key. A version is later than another by {@code __lsn}, then {@code __kafka_offset}.
 *
 * <p>Memory stays bounded: only the keys of one hash partition ({@code pass} of {@code passes}) are
 * kept, and past {@code maxKeys} the run stops with {@link TooManyKeys} so the caller can take more
 * passes. Nothing is a large contiguous array: keys live in 64 open-addressing segments that grow
 * one at a time, and each key's fields in fixed chunks that never move.
 */
final class TripCandidates {

    private static final int SEGMENT_BITS = 6;
    /** Fields of a slot: lsn, kafka offset, start, end, distance bits, vehicle << 16 | day << 8 | flags. */
    private static final int SLOT = 6;
    private static final int CHUNK_BITS = 14;
    private static final int CHUNK_SLOTS = 1 << CHUNK_BITS;
    private static final long IS_TRIP = 1;
    private static final long HAS_END = 2;
    private static final long HAS_DISTANCE = 4;

    /** Thrown when the partition holds more keys than allowed; carries what was counted so far. */
    static final class TooManyKeys extends RuntimeException {
        final int keys;

        TooManyKeys(int keys) {
            super(null, null, false, false);
            this.keys = keys;
        }
    }

    private final int pass;
    private final int passes;
    private final long maxKeys;
    /** Per segment, cells of (key, slot + 1); slot 0 marks a free cell. */
    private final long[][] segments = new long[1 << SEGMENT_BITS][];
    private final int[] segmentSizes = new int[1 << SEGMENT_BITS];
    private int size;
    private long[][] slots = new long[0][];
    /** Whether the key column is an integer, as the first file said; null before. */
    private Boolean integerKeys;
    /** Other keys (text, uuid...) numbered as they are first met in the month's files. */
    private final Map<Object, Long> otherKeyIds = new HashMap<>();

    TripCandidates(int pass, int passes, long maxKeys) {
        this.pass = pass;
        this.passes = passes;
        this.maxKeys = maxKeys;
        Arrays.setAll(segments, segment -> new long[2 << 8]);
    }

    int size() {
        return size;
    }

    /** Takes each row of a month file, in this pass's partition, that is later than what is known of its key. */
    void offer(TripFile file) {
        checkKeyType(file);
        for (int row = 0; row < file.rows; row++) {
            long key;
            long mixed;
            if (file.longKeys != null) {
                key = file.longKeys[row];
                mixed = mix(key);
                if (!inPass(mixed)) {
                    continue;
                }
            } else {
                Object other = file.otherKeys[row];
                if (!inPass(mix(other.hashCode()))) {
                    continue;
                }
                key = otherKeyIds.computeIfAbsent(other, k -> (long) otherKeyIds.size());
                mixed = mix(key);
            }
            long[] segment = segmentFor(mixed);
            int cell = cellOf(segment, mixed, key);
            long lsn = file.lsn[row];
            long offset = file.kafkaOffset[row];
            int slot;
            if (segment[cell + 1] == 0) {
                if (size == maxKeys) {
                    throw new TooManyKeys(size);
                }
                slot = size++;
                segment[cell] = key;
                segment[cell + 1] = slot + 1L;
                growIfFull(mixed);
                if (slot >>> CHUNK_BITS == slots.length) {
                    slots = Arrays.copyOf(slots, slots.length + 1);
                    slots[slots.length - 1] = new long[CHUNK_SLOTS * SLOT];
                }
            } else {
                slot = (int) (segment[cell + 1] - 1);
                if (!isLater(slot, lsn, offset)) {
                    continue;
                }
            }
            long[] chunk = slots[slot >>> CHUNK_BITS];
            int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
            int vehicle = file.vehicle[row];
            chunk[at] = lsn;
            chunk[at + 1] = offset;
            chunk[at + 2] = file.startMicros[row];
            chunk[at + 3] = file.endMicros[row];
            chunk[at + 4] = Double.doubleToRawLongBits(file.distance[row]);
            chunk[at + 5] = vehicle == TripFile.NO_TRIP ? 0
                    : (long) vehicle << 16 | (long) file.startDay[row] << 8 | IS_TRIP
                    | (file.hasEnd[row] ? HAS_END : 0) | (file.hasDistance[row] ? HAS_DISTANCE : 0);
        }
    }

    /** Takes out each candidate that a later row of another month's file changed, moved away or deleted. */
    void supersede(TripFile file) {
        checkKeyType(file);
        for (int row = 0; row < file.rows; row++) {
            long key;
            if (file.longKeys != null) {
                key = file.longKeys[row];
            } else {
                Long id = otherKeyIds.get(file.otherKeys[row]);
                if (id == null) {
                    continue;
                }
                key = id;
            }
            long mixed = mix(key);
            long[] segment = segmentFor(mixed);
            int cell = cellOf(segment, mixed, key);
            if (segment[cell + 1] == 0) {
                continue;
            }
            int slot = (int) (segment[cell + 1] - 1);
            if (isLater(slot, file.lsn[row], file.kafkaOffset[row])) {
                long[] chunk = slots[slot >>> CHUNK_BITS];
                int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
                chunk[at] = file.lsn[row];
                chunk[at + 1] = file.kafkaOffset[row];
                chunk[at + 5] = 0;
            }
        }
    }

    /** Adds every candidate that is a trip of the month to the statistics. */
    void addTrips(VehicleDictionary vehicles, MonthlyStatistics statistics) {
        MonthlyStatistics.Accumulator[] byVehicle = new MonthlyStatistics.Accumulator[vehicles.size()];
        for (int slot = 0; slot < size; slot++) {
            long[] chunk = slots[slot >>> CHUNK_BITS];
            int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
            long fields = chunk[at + 5];
            if ((fields & IS_TRIP) != 0) {
                int vehicle = (int) (fields >>> 16);
                if (byVehicle[vehicle] == null) {
                    byVehicle[vehicle] = statistics.accumulator(vehicles.name(vehicle));
                }
                byVehicle[vehicle].add(chunk[at + 2], (int) (fields >>> 8 & 0xFF) + 1, (fields & HAS_END) != 0, chunk[at + 3],
                        (fields & HAS_DISTANCE) != 0, Double.longBitsToDouble(chunk[at + 4]));
            }
        }
    }

    private boolean inPass(long mixed) {
        return passes == 1 || Math.floorMod(mixed >>> 20, passes) == pass;
    }

    private void checkKeyType(TripFile file) {
        boolean integer = file.longKeys != null;
        if (integerKeys == null) {
            integerKeys = integer;
        } else if (integerKeys != integer) {
            throw new IllegalArgumentException("the key column is an integer in some lake files and not in others;"
                    + " the statistics cannot match their rows");
        }
    }

    private boolean isLater(int slot, long lsn, long offset) {
        long[] chunk = slots[slot >>> CHUNK_BITS];
        int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
        return chunk[at] < lsn || (chunk[at] == lsn && chunk[at + 1] < offset);
    }

    private long[] segmentFor(long mixed) {
        return segments[(int) (mixed >>> (64 - SEGMENT_BITS))];
    }

    /** The cell holding the key in its segment, or the free cell where it belongs. */
    private static int cellOf(long[] segment, long mixed, long key) {
        int mask = segment.length / 2 - 1;
        int index = (int) mixed & mask;
        while (segment[index * 2 + 1] != 0 && segment[index * 2] != key) {
            index = (index + 1) & mask;
        }
        return index * 2;
    }

    private void growIfFull(long mixed) {
        int segmentIndex = (int) (mixed >>> (64 - SEGMENT_BITS));
        long[] old = segments[segmentIndex];
        if (++segmentSizes[segmentIndex] * 3L <= old.length) {
            return;
        }
        long[] grown = new long[old.length * 2];
        for (int cell = 0; cell < old.length; cell += 2) {
            if (old[cell + 1] != 0) {
                int to = cellOf(grown, mix(old[cell]), old[cell]);
                grown[to] = old[cell];
                grown[to + 1] = old[cell + 1];
            }
        }
        segments[segmentIndex] = grown;
    }

    private static long mix(long key) {
        long mixed = key * 0x9E3779B97F4A7C15L;
        return mixed ^ (mixed >>> 29);
    }
}
