package pipeline.stats;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A command's summary line says why it sat silent: the wait for the lake writer, when it was long or in vain. */
class LakeCatchUpOutcomeTest {

    @Test
    void aShortWaitGoesUnmentioned() {
        assertThat(new LakeCatchUp.Outcome(true, Duration.ofMillis(420), null, null).remark()).isEmpty();
    }

    @Test
    void aLongWaitIsTold() {
        assertThat(new LakeCatchUp.Outcome(true, Duration.ofMillis(22_940), null, null).remark())
                .isEqualTo(" (after 22.9 s waiting for the lake writer to store what Kafka held)");
    }

    @Test
    void aWaitInVainIsToldWithItsLength() {
        assertThat(new LakeCatchUp.Outcome(false, Duration.ofMillis(600_050), null, null).remark())
                .isEqualTo(" (the lake writer had not caught up with Kafka after 600.1 s)");
    }

    @Test
    void aKafkaThatDidNotAnswerIsNamed() {
        assertThat(new LakeCatchUp.Outcome(false, Duration.ofMillis(10_050), "Kafka did not answer within 10 s", null).remark())
                .isEqualTo(" (not known whether the lake writer had caught up with Kafka: Kafka did not answer within 10 s)");
    }

    @Test
    void aWaitGivenUpForWantOfAWriterSaysSo() {
        assertThat(new LakeCatchUp.Outcome(false, Duration.ofMillis(80), null, "trip-pipeline-lake").remark())
                .isEqualTo(
                        " (the lake writer had not caught up with Kafka, and none runs: its consumer group trip-pipeline-lake has no member)");
    }
}
