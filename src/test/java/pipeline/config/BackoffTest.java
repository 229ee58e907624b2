package pipeline.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Retry delays double from the first one and stay at the ceiling. */
class BackoffTest {

    @Test
    void changesAreRetriedAfterOneSecondThenDoublingUpToThirtySeconds() {
        assertThat(delays(Backoff.CHANGES, 8)).containsExactly(seconds(1), seconds(2), seconds(4), seconds(8), seconds(16), seconds(30),
                seconds(30), seconds(30));
    }

    @Test
    void statisticsStartFromTheirConfiguredDelayAndWaitAtMostHalfAnHour() {
        assertThat(delays(Backoff.statistics(Duration.ofMinutes(5)), 5)).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10),
                Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofMinutes(30));
    }

    private static List<Duration> delays(Backoff backoff, int count) {
        List<Duration> delays = new ArrayList<>();
        Duration delay = backoff.first();
        for (int i = 0; i < count; i++) {
            delays.add(delay);
            delay = backoff.after(delay);
        }
        return delays;
    }

    private static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
