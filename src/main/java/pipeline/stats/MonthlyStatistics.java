package pipeline.stats;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accumulates a month's trips per vehicle and computes the contract's statistics, with exact
 * percentiles (percentile_cont: linear interpolation between the two nearest ranks). Values are
 * kept in primitive arrays, about 16 bytes a trip.
 */
public final class MonthlyStatistics {

    private final YearMonth month;
    private final Map<String, Accumulator> vehicles = new HashMap<>();

    public MonthlyStatistics(YearMonth month) {
        this.month = month;
    }

    /** Adds a trip; the caller has already kept only the latest, not deleted trips starting in the month. */
    public void add(Trip trip) {
        vehicles.computeIfAbsent(trip.vehicleId(), id -> new Accumulator()).add(trip);
    }

    public List<VehicleMonth> result() {
        List<VehicleMonth> rows = new ArrayList<>(vehicles.size());
        vehicles.forEach((vehicle, accumulator) -> rows.add(accumulator.toRow(vehicle, month.toString())));
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

    private static final class Accumulator {
        private long trips;
        private final DoubleList distances = new DoubleList();
        private final DoubleList durations = new DoubleList();
        private double speedDistance;
        private double speedDuration;
        private boolean hasSpeedTrip;
        private long firstStart = Long.MAX_VALUE;
        private Long lastEnd;
        private final Set<LocalDate> days = new HashSet<>();

        void add(Trip trip) {
            trips++;
            Double duration = trip.durationSeconds();
            if (trip.distanceKm() != null) {
                distances.add(trip.distanceKm());
            }
            if (duration != null) {
                durations.add(duration);
            }
            if (duration != null && duration > 0 && trip.distanceKm() != null) {
                speedDistance += trip.distanceKm();
                speedDuration += duration;
                hasSpeedTrip = true;
            }
            firstStart = Math.min(firstStart, trip.startMicros());
            if (trip.endMicros() != null && (lastEnd == null || trip.endMicros() > lastEnd)) {
                lastEnd = trip.endMicros();
            }
            days.add(trip.startDay());
        }

        VehicleMonth toRow(String vehicle, String month) {
            double distanceSum = distances.sum();
            double durationSum = durations.sum();
            double[] sortedDistances = distances.sorted();
            double[] sortedDurations = durations.sorted();
            return new VehicleMonth(vehicle, month, trips,
                    distanceSum,
                    distances.size == 0 ? null : distanceSum / distances.size,
                    distances.size == 0 ? null : sortedDistances[distances.size - 1],
                    percentileCont(sortedDistances, distances.size, 0.5),
                    durationSum,
                    durations.size == 0 ? null : durationSum / durations.size,
                    percentileCont(sortedDurations, durations.size, 0.95),
                    hasSpeedTrip && speedDuration != 0 ? 3600 * speedDistance / speedDuration : null,
                    firstStart, lastEnd, days.size());
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
