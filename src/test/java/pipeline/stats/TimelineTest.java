package pipeline.stats;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineTest {

    @ParameterizedTest(name = "{0} in {1} is {2}")
    @CsvSource({
            // the example: a trip starting at 00:18 in New York in January
            "2013-01-01T00:18:00,        America/New_York, 2013-01-01T05:18:00Z",
            // skipped by the spring-forward change: the offset before it (EST), as PostgreSQL reads it
            "2018-03-11T02:30:00,        America/New_York, 2018-03-11T07:30:00Z",
            // repeated by the fall-back change: the offset after it (EST), as PostgreSQL reads it
            "2018-11-04T01:30:00,        America/New_York, 2018-11-04T06:30:00Z",
            "2013-04-07T02:15:00.000123, Pacific/Auckland, 2013-04-06T14:15:00.000123Z",
            "2013-09-29T02:15:00,        Pacific/Auckland, 2013-09-28T14:15:00Z",
            "1969-12-31T23:59:59.999999, UTC,              1969-12-31T23:59:59.999999Z",
            "2400-06-01T12:00:00,        Europe/Paris,     2400-06-01T10:00:00Z"})
    void aWallTimeIsTheInstantPostgresReadsInTheZone(LocalDateTime wallTime, String zone, Instant instant) {
        assertThat(Timeline.wallTimeIn(ZoneId.of(zone)).instantMicros(micros(wallTime))).isEqualTo(micros(instant));
    }

    @Test
    void anInstantStaysAsItIs() {
        assertThat(Timeline.INSTANTS.instantMicros(1_700_000_000_123_456L)).isEqualTo(1_700_000_000_123_456L);
        assertThat(Timeline.INSTANTS.isWallTime()).isFalse();
    }

    @Test
    void infinitiesStayInfinite() {
        Timeline newYork = Timeline.wallTimeIn(java.time.ZoneId.of("America/New_York"));
        assertThat(newYork.instantMicros(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(newYork.instantMicros(-Long.MAX_VALUE)).isEqualTo(-Long.MAX_VALUE);
    }

    private static long micros(LocalDateTime wallTime) {
        return micros(wallTime.toInstant(ZoneOffset.UTC));
    }

    private static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }
}
