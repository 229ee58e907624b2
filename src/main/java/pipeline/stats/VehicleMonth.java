package pipeline.stats;

/**
 * One vehicle's statistics for one month, column for column the contract's definition (section 6,
 * then the availability delay of 6.3); null where the SQL gives null. Instants are epoch microseconds.
 */
public record VehicleMonth(
        String vehicleId,
        String month,
        long tripCount,
        double totalDistanceKm,
        Double avgDistanceKm,
        Double maxDistanceKm,
        Double medianDistanceKm,
        double totalDurationS,
        Double avgDurationS,
        Double p95DurationS,
        Double avgSpeedKmh,
        long firstTripStartMicros,
        Long lastTripEndMicros,
        long activeDays,
        long delayTrips,
        Double delayP50S,
        Double delayP95S,
        Double delayMaxS) {
}
