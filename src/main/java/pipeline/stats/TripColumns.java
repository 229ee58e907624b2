package pipeline.stats;

/** Which columns of the captured table hold the trip's key, vehicle, start, end and distance. */
public record TripColumns(String key, String vehicle, String start, String end, String distance) {
}
