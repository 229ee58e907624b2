package pipeline.stats;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Statistics are computed for months that have begun in the pipeline's zone, the current one included. */
class MonthBegunTest {

    /** 00:30 on 1 April in Paris, still 31 March in UTC. */
    private static final Clock JUST_AFTER_MIDNIGHT_IN_PARIS = Clock.fixed(Instant.parse("2024-03-31T22:30:00Z"), ZoneOffset.UTC);

    @Test
    void aMonthBegunInTheZoneIsComputed() {
        assertThatCode(() -> StatisticsJob.requireBegun(YearMonth.of(2024, 4), ZoneId.of("Europe/Paris"), JUST_AFTER_MIDNIGHT_IN_PARIS))
                .doesNotThrowAnyException();
        assertThatCode(() -> StatisticsJob.requireBegun(YearMonth.of(2024, 3), ZoneOffset.UTC, JUST_AFTER_MIDNIGHT_IN_PARIS))
                .doesNotThrowAnyException();
    }

    @Test
    void aMonthNotBegunInTheZoneIsRefused() {
        assertThatThrownBy(() -> StatisticsJob.requireBegun(YearMonth.of(2024, 4), ZoneOffset.UTC, JUST_AFTER_MIDNIGHT_IN_PARIS))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("2024-04 has not begun yet in Z (it is 2024-03 there)");
    }
}
