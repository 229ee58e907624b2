package pipeline.stats;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import pipeline.lake.LakeFormat;

/**
 * Accumulates a month's trips per vehicle and computes the contract's statistics, with exact
 * percentiles (percentile_cont: linear interpolation between the two nearest ranks). Values are
 * kept in primitive arrays, about 24 bytes a trip.
 */
public final class MonthlyStatistics {

    private final YearMonth month;
    private final Map<String, Accumulator> vehicles = new HashMap<>();
    private Timeline starts = Timeline.INSTANTS;
    private Timeline ends = Timeline.INSTANTS;

    public MonthlyStatistics(YearMonth month) {
        this.month = month;
    }

    /**
     * How the added starts and ends become instants. Durations and days are computed on the values as
     * added (wall times, like the contract's SQL on a {@code timestamp} column), the published first
     * start and last end are instants.
     */
    MonthlyStatistics withTimelines(Timeline starts, Timeline ends) {
        this.starts = starts;
        this.ends = ends;
        return this;
    }

    /** Adds a trip; the caller has already kept only the latest, not deleted trips starting in the month. */
    public void add(Trip trip) {
        accumulator(trip.vehicleId()).add(trip.startMicros(), trip.startDay().getDayOfMonth(), trip.endMicros() != null,
                trip.endMicros() == null ? 0 : trip.endMicros(), trip.distanceKm() != null,
                trip.distanceKm() == null ? 0 : trip.distanceKm(), trip.delaySeconds() != null,
                trip.delaySeconds() == null ? 0 : trip.delaySeconds());
    }

    /** The trips of one vehicle, for adding many without looking the vehicle up each time. */
    Accumulator accumulator(String vehicleId) {
        return vehicles.computeIfAbsent(vehicleId, id -> new Accumulator());
    }

    public List<VehicleMonth> result() {
        List<VehicleMonth> rows = new ArrayList<>(vehicles.size());
        vehicles.forEach((vehicle, accumulator) -> rows.add(accumulator.toRow(vehicle, month.toString(), starts, ends)));
        rows.sort((a, b) -> a.vehicleId().compareTo(b.vehicleId()));
        return rows;
    }

    /** percentile_cont over ascending-sorted values; null for no values. */
    static Double percentileCont(double[] sorted, int count, double fraction) {
        if (count == 0) {
            return null;
        }
        double position = fraction * (count - 1);
        int lower = (int) Math.floor(position);
        int upper = (int) Math.ceil(position);
        double first = sorted[lower];
        return lower == upper ? first : first + (position - lower) * (sorted[upper] - first);
    }

    static final class Accumulator {
        private long trips;
        private final DoubleList distances = new DoubleList();
        private final DoubleList durations = new DoubleList();
        private final DoubleList delays = new DoubleList();
        private double speedDistance;
        private double speedDuration;
        private boolean hasSpeedTrip;
        private long firstStart = Long.MAX_VALUE;
        private long lastEnd;
        private boolean hasLastEnd;
        /** Bit d set when a trip started on day d of the month. */
        private long activeDays;

        void add(long startMicros, int dayOfMonth, boolean hasEnd, long endMicros, boolean hasDistance, double distanceKm,
                boolean hasDelay, double delaySeconds) {
            trips++;
            if (hasDelay) {
                delays.add(delaySeconds);
            }
            boolean hasDuration = hasEnd && endMicros >= startMicros;
            // PostgreSQL 17: extract(epoch FROM 'infinity' - started_at) is Infinity (15 refuses to subtract)
            double duration = !hasDuration
                    ? 0
                    : endMicros == LakeFormat.INFINITY_MICROS ? Double.POSITIVE_INFINITY : (endMicros - startMicros) / 1e6;
            if (hasDistance) {
                distances.add(distanceKm);
            }
            if (hasDuration) {
                durations.add(duration);
            }
            if (hasDuration && duration > 0 && hasDistance) {
                speedDistance += distanceKm;
                speedDuration += duration;
                hasSpeedTrip = true;
            }
            firstStart = Math.min(firstStart, startMicros);
            if (hasEnd && (!hasLastEnd || endMicros > lastEnd)) {
                lastEnd = endMicros;
                hasLastEnd = true;
            }
            activeDays |= 1L << dayOfMonth;
        }

        VehicleMonth toRow(String vehicle, String month, Timeline starts, Timeline ends) {
            double distanceSum = distances.sum();
            double durationSum = durations.sum();
            double[] sortedDistances = distances.sorted();
            double[] sortedDurations = durations.sorted();
            double[] sortedDelays = delays.sorted();
            return new VehicleMonth(vehicle, month, trips,
                    distanceSum,
                    distances.size == 0 ? null : distanceSum / distances.size,
                    distances.size == 0 ? null : sortedDistances[distances.size - 1],
                    percentileCont(sortedDistances, distances.size, 0.5),
                    durationSum,
                    durations.size == 0 ? null : durationSum / durations.size,
                    percentileCont(sortedDurations, durations.size, 0.95),
                    hasSpeedTrip && speedDuration != 0 ? 3600 * speedDistance / speedDuration : null,
                    starts.instantMicros(firstStart), hasLastEnd ? ends.instantMicros(lastEnd) : null, Long.bitCount(activeDays),
                    delays.size, percentileCont(sortedDelays, delays.size, 0.5), percentileCont(sortedDelays, delays.size, 0.95),
                    delays.size == 0 ? null : sortedDelays[delays.size - 1]);
        }
    }

    /** A growable array of doubles: percentiles of millions of trips without boxing each value. */
    private static final class DoubleList {
        private double[] values = new double[8];
        private int size;

        void add(double value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        double sum() {
            double sum = 0;
            for (int i = 0; i < size; i++) {
                sum += values[i];
            }
            return sum;
        }

        double[] sorted() {
            double[] copy = Arrays.copyOf(values, size);
            Arrays.sort(copy);
            return copy;
        }
    }
}
