package pipeline.stats;

import java.util.Arrays;

/**
 * Two longs for each (slot, long) pair, in primitive arrays with open addressing: the facts only some
 * trip keys have (a delete, the commit of an end they no longer carry), kept beside the candidates
 * at 37 to 75 bytes an entry (at most three quarters full), without an object per entry. Entries
 * are never removed.
 */
final class SlotTable {

    private static final int FREE = -1;

    private int[] slots = new int[64];
    private long[] keys = new long[64];
    private long[] first = new long[64];
    private long[] second = new long[64];
    private int size;

    SlotTable() {
        Arrays.fill(slots, FREE);
    }

    int size() {
        return size;
    }

    /** The cell of (slot, key), or -1. */
    int find(int slot, long key) {
        int mask = slots.length - 1;
        for (int cell = hash(slot, key) & mask; slots[cell] != FREE; cell = (cell + 1) & mask) {
            if (slots[cell] == slot && keys[cell] == key) {
                return cell;
            }
        }
        return -1;
    }

    long first(int cell) {
        return first[cell];
    }

    long second(int cell) {
        return second[cell];
    }

    /** Sets both values of (slot, key), adding the entry when missing. */
    void put(int slot, long key, long firstValue, long secondValue) {
        int cell = cellFor(slot, key);
        first[cell] = firstValue;
        second[cell] = secondValue;
    }

    /** Keeps the smaller of the first value held and {@code value}. */
    void putMin(int slot, long key, long value) {
        int existing = find(slot, key);
        if (existing >= 0) {
            first[existing] = Math.min(first[existing], value);
        } else {
            int cell = cellFor(slot, key);
            first[cell] = value;
        }
    }

    private int cellFor(int slot, long key) {
        if ((size + 1) * 4 > slots.length * 3) {
            grow();
        }
        int mask = slots.length - 1;
        int cell = hash(slot, key) & mask;
        while (slots[cell] != FREE) {
            if (slots[cell] == slot && keys[cell] == key) {
                return cell;
            }
            cell = (cell + 1) & mask;
        }
        slots[cell] = slot;
        keys[cell] = key;
        size++;
        return cell;
    }

    private void grow() {
        int[] oldSlots = slots;
        long[] oldKeys = keys;
        long[] oldFirst = first;
        long[] oldSecond = second;
        slots = new int[oldSlots.length * 2];
        Arrays.fill(slots, FREE);
        keys = new long[slots.length];
        first = new long[slots.length];
        second = new long[slots.length];
        int mask = slots.length - 1;
        for (int old = 0; old < oldSlots.length; old++) {
            if (oldSlots[old] != FREE) {
                int cell = hash(oldSlots[old], oldKeys[old]) & mask;
                while (slots[cell] != FREE) {
                    cell = (cell + 1) & mask;
                }
                slots[cell] = oldSlots[old];
                keys[cell] = oldKeys[old];
                first[cell] = oldFirst[old];
                second[cell] = oldSecond[old];
            }
        }
    }

    private static int hash(int slot, long key) {
        long mixed = (key + slot * 0x9E3779B97F4A7C15L) * 0xC2B2AE3D27D4EB4FL;
        return (int) (mixed ^ (mixed >>> 32));
    }
}
