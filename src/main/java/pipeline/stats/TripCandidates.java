package pipeline.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import pipeline.lake.LakeFormat;

/**
 * The latest version seen so far of every key found in the month's partitions, about 100 bytes a
 * key. A version is later than another by {@code __lsn}, then {@code __kafka_offset}. Beside it, each
 * key keeps the commit time of the earliest captured change that carried the latest version's end
 * (its availability delay, contract 6.3), and, aside for the keys that have one, its latest delete
 * (a delete committed long enough after the trip's start is the source's clean-up, contract 6.1, and
 * leaves the trip counted). Files come in any order, so a change older than the latest version still
 * counts for the delay: the earliest commit of every other end a key carried is kept aside too, in
 * case a later version brings that end back.
 *
 * <p>Memory stays bounded: only the keys of one hash partition ({@code pass} of {@code passes}) are
 * kept, and past {@code maxKeys} (an entry kept aside counting half a key) the run stops with
 * {@link TooManyKeys} so the caller can take more passes. Nothing is a large contiguous array: keys
 * live in 64 open-addressing segments that grow one at a time, and each key's fields in fixed chunks
 * that never move and are released as the trips reach the statistics.
 */
final class TripCandidates {

    private static final int SEGMENT_BITS = 6;
    private static final int LSN = 0;
    private static final int OFFSET = 1;
    private static final int START = 2;
    private static final int END = 3;
    private static final int DISTANCE = 4;
    /** vehicle << 16 | day << 8 | flags. */
    private static final int FIELDS = 5;
    /** Commit time of the earliest captured change whose end equals the latest version's end. */
    private static final int END_SEEN_MILLIS = 6;
    private static final int SLOT = 7;
    private static final long NONE = Long.MIN_VALUE;
    private static final long NOT_SEEN = Long.MAX_VALUE;
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
    /** Contract 6.1: a delete committed more than this after the trip's start keeps the trip; negative when every delete removes it. */
    private final long keepDeletedAfterMicros;
    /** (slot, 0) to the lsn and commit time of the key's latest delete. */
    private SlotTable deletes = new SlotTable();
    /** (slot, end) to the earliest captured commit of an end the key's changes carried besides its latest version's. */
    private SlotTable otherEndsSeen = new SlotTable();
    /** Per segment, cells of (key, slot + 1); slot 0 marks a free cell. */
    private final long[][] segments = new long[1 << SEGMENT_BITS][];
    private final int[] segmentSizes = new int[1 << SEGMENT_BITS];
    private int size;
    private long[][] slots = new long[0][];
    /** Whether the key column is an integer, as the first file said; null before. */
    private Boolean integerKeys;
    /** Other keys (text, uuid...) numbered as they are first met in the month's files. */
    private final Map<Object, Long> otherKeyIds = new HashMap<>();

    TripCandidates(int pass, int passes, long maxKeys, long keepDeletedAfterMicros) {
        this.pass = pass;
        this.passes = passes;
        this.maxKeys = maxKeys;
        this.keepDeletedAfterMicros = keepDeletedAfterMicros;
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
            int slot;
            if (segment[cell + 1] == 0) {
                if (size + (deletes.size() + otherEndsSeen.size()) / 2 >= maxKeys) {
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
                long[] chunk = slots[slot >>> CHUNK_BITS];
                int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
                chunk[at + LSN] = NONE;
                chunk[at + OFFSET] = NONE;
                chunk[at + FIELDS] = 0;
                chunk[at + END_SEEN_MILLIS] = NOT_SEEN;
            } else {
                slot = (int) (segment[cell + 1] - 1);
            }
            long[] chunk = slots[slot >>> CHUNK_BITS];
            int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
            if (file.deleted[row]) {
                noteDelete(slot, file, row);
            } else if (isLater(chunk, at, file.lsn[row], file.kafkaOffset[row])) {
                int vehicle = file.vehicle[row];
                long fields = (file.hasEnd[row] ? HAS_END : 0) | (file.hasDistance[row] ? HAS_DISTANCE : 0);
                if (vehicle != TripFile.NO_TRIP) {
                    fields |= (long) vehicle << 16 | (long) file.startDay[row] << 8 | IS_TRIP;
                }
                takeLatest(chunk, at, slot, file, row, fields);
                chunk[at + START] = file.startMicros[row];
                chunk[at + DISTANCE] = Double.doubleToRawLongBits(file.distance[row]);
            } else {
                noteEarlierChange(chunk, at, slot, file, row);
            }
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
            long[] chunk = slots[slot >>> CHUNK_BITS];
            int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
            if (file.deleted[row]) {
                noteDelete(slot, file, row);
            } else if (isLater(chunk, at, file.lsn[row], file.kafkaOffset[row])) {
                // changed by a version in another month's partition: not a trip of this month any more
                takeLatest(chunk, at, slot, file, row, file.hasEnd[row] ? HAS_END : 0);
            } else {
                noteEarlierChange(chunk, at, slot, file, row);
            }
        }
    }

    private void noteDelete(int slot, TripFile file, int row) {
        int known = deletes.find(slot, 0);
        if (known < 0 || file.lsn[row] > deletes.first(known)) {
            deletes.put(slot, 0, file.lsn[row], file.commitMillis[row]);
        }
    }

    /** Makes a row the key's latest version (its position, end and fields), carrying the delay bookkeeping over. */
    private void takeLatest(long[] chunk, int at, int slot, TripFile file, int row, long fields) {
        boolean hadEnd = (chunk[at + FIELDS] & HAS_END) != 0;
        boolean hasEnd = file.hasEnd[row];
        long end = file.endMicros[row];
        if (!hadEnd || !hasEnd || chunk[at + END] != end) {
            if (hadEnd && chunk[at + END_SEEN_MILLIS] != NOT_SEEN) {
                otherEndsSeen.putMin(slot, chunk[at + END], chunk[at + END_SEEN_MILLIS]);
            }
            int seenBefore = hasEnd && otherEndsSeen.size() > 0 ? otherEndsSeen.find(slot, end) : -1;
            chunk[at + END_SEEN_MILLIS] = seenBefore < 0 ? NOT_SEEN : otherEndsSeen.first(seenBefore);
        }
        if (hasEnd && file.captured[row]) {
            chunk[at + END_SEEN_MILLIS] = Math.min(chunk[at + END_SEEN_MILLIS], file.commitMillis[row]);
        }
        chunk[at + LSN] = file.lsn[row];
        chunk[at + OFFSET] = file.kafkaOffset[row];
        chunk[at + END] = end;
        chunk[at + FIELDS] = fields;
    }

    /** A change older than the latest version: only its commit time matters, for the delay of the end it carried. */
    private void noteEarlierChange(long[] chunk, int at, int slot, TripFile file, int row) {
        if (!file.hasEnd[row] || !file.captured[row]) {
            return;
        }
        long end = file.endMicros[row];
        if ((chunk[at + FIELDS] & HAS_END) != 0 && chunk[at + END] == end) {
            chunk[at + END_SEEN_MILLIS] = Math.min(chunk[at + END_SEEN_MILLIS], file.commitMillis[row]);
        } else {
            otherEndsSeen.putMin(slot, end, file.commitMillis[row]);
        }
    }

    /**
     * Adds every candidate that is a trip of the month to the statistics: its latest version, unless a
     * later delete removed it. The candidates are used up: their memory goes to the statistics' values.
     */
    void addTrips(VehicleDictionary vehicles, MonthlyStatistics statistics, Timeline starts, Timeline ends) {
        Arrays.fill(segments, null);
        otherEndsSeen = null;
        MonthlyStatistics.Accumulator[] byVehicle = new MonthlyStatistics.Accumulator[vehicles.size()];
        for (int slot = 0; slot < size; slot++) {
            long[] chunk = slots[slot >>> CHUNK_BITS];
            int at = (slot & (CHUNK_SLOTS - 1)) * SLOT;
            if (at + SLOT == chunk.length || slot == size - 1) {
                slots[slot >>> CHUNK_BITS] = null;
            }
            long fields = chunk[at + FIELDS];
            if ((fields & IS_TRIP) == 0 || deletedAfterwards(slot, chunk, at, starts)) {
                continue;
            }
            int vehicle = (int) (fields >>> 16);
            if (byVehicle[vehicle] == null) {
                byVehicle[vehicle] = statistics.accumulator(vehicles.name(vehicle));
            }
            boolean hasEnd = (fields & HAS_END) != 0;
            boolean hasDelay = hasEnd && chunk[at + END_SEEN_MILLIS] != NOT_SEEN;
            double delaySeconds = hasDelay ? delaySeconds(chunk[at + END_SEEN_MILLIS], ends.instantMicros(chunk[at + END])) : 0;
            byVehicle[vehicle].add(chunk[at + START], (int) (fields >>> 8 & 0xFF) + 1, hasEnd, chunk[at + END],
                    (fields & HAS_DISTANCE) != 0, Double.longBitsToDouble(chunk[at + DISTANCE]), hasDelay, delaySeconds);
        }
    }

    /** From an end to the commit that first carried it; an end at plus or minus infinity is infinitely early or late. */
    static double delaySeconds(long committedMillis, long endMicros) {
        if (LakeFormat.isInfiniteMicros(endMicros)) {
            return endMicros > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return (committedMillis * 1000 - endMicros) / 1e6;
    }

    /** Whether a delete that came after the latest version removes the trip: a correction, not the source's clean-up. */
    private boolean deletedAfterwards(int slot, long[] chunk, int at, Timeline starts) {
        int delete = deletes.size() == 0 ? -1 : deletes.find(slot, 0);
        if (delete < 0 || deletes.first(delete) <= chunk[at + LSN]) {
            return false;
        }
        return keepDeletedAfterMicros < 0
                || deletes.second(delete) * 1000 - starts.instantMicros(chunk[at + START]) <= keepDeletedAfterMicros;
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

    private static boolean isLater(long[] chunk, int at, long lsn, long offset) {
        return chunk[at + LSN] < lsn || (chunk[at + LSN] == lsn && chunk[at + OFFSET] < offset);
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
