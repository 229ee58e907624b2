package pipeline.stats;

import java.time.LocalDate;

/**
 * The latest version of one trip, as the statistics read it.
 *
 * @param vehicleId    the vehicle, as text
 * @param startMicros  start as epoch microseconds (for a start without time zone: its wall time counted as UTC)
 * @param startDay     the start's calendar day in the pipeline's zone
 * @param endMicros    end in the same scale as the start, or null
 * @param distanceKm   distance, or null
 * @param delaySeconds how long after its end the end was committed in the source (contract 6.3), or null
 */
public record Trip(String vehicleId, long startMicros, LocalDate startDay, Long endMicros, Double distanceKm, Double delaySeconds) {
}
