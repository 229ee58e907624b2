package pipeline.stats;

import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An on-demand run of a month that has not begun in the pipeline's zone says its result can only be partial. */
class MonthBegunTest {

    /** 00:30 on 1 April in Paris, still 31 March in UTC. */
    private static final Clock JUST_AFTER_MIDNIGHT_IN_PARIS = Clock.fixed(Instant.parse("2024-03-31T22:30:00Z"), ZoneOffset.UTC);

    @Test
    void aMonthBegunInTheZoneGetsNoRemark() {
        assertThat(StatisticsJob.notBegunRemark(YearMonth.of(2024, 4), ZoneId.of("Europe/Paris"), JUST_AFTER_MIDNIGHT_IN_PARIS)).isEmpty();
        assertThat(StatisticsJob.notBegunRemark(YearMonth.of(2024, 3), ZoneOffset.UTC, JUST_AFTER_MIDNIGHT_IN_PARIS)).isEmpty();
    }

    @Test
    void aMonthNotBegunInTheZoneIsSaidToBe() {
        assertThat(StatisticsJob.notBegunRemark(YearMonth.of(2024, 4), ZoneId.of("UTC"), JUST_AFTER_MIDNIGHT_IN_PARIS))
                .isEqualTo(" (2024-04 has not begun yet in UTC, it is 2024-03 there: trips still to come are not counted)");
    }
}
