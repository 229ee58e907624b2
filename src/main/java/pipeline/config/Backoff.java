package pipeline.config;

import java.time.Duration;

/**
 * When to try again what failed: after a first delay, then after delays that double up to a
 * ceiling, for as long as it takes. The one schedule of the routes' error handlers (route
 * configurations in {@code routes.RetryPolicy}) and of the loops that run outside a route.
 */
public record Backoff(Duration first, Duration max) {

    public static final int MULTIPLIER = 2;

    /** Changes on their way (to Kafka, to S3, the Debezium engine, the lake writer's poll): the sooner they move again the better. */
    public static final Backoff CHANGES = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

    /** The monthly statistics: the next firing is a month away, and a long outage is not worth a retry a minute. */
    public static Backoff statistics(Duration first) {
        return new Backoff(first, Duration.ofMinutes(30));
    }

    /** The delay after {@code delay}, the previous one. */
    public Duration after(Duration delay) {
        Duration next = delay.multipliedBy(MULTIPLIER);
        return next.compareTo(max) > 0 ? max : next;
    }
}
