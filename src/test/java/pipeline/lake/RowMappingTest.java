package pipeline.lake;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lake's instants: Debezium's ISO-8601 timestamps read by hand give what the general parser gives. */
class RowMappingTest {

    @Test
    void debeziumTimestampsReadAsTheGeneralParserReadsThem() {
        Random random = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            long seconds = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond()
                    + (long) (random.nextDouble() * (Instant.parse("9999-12-31T23:59:59Z").getEpochSecond()
                            - Instant.parse("0001-01-01T00:00:00Z").getEpochSecond()));
            int micros = random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000);
            // Debezium's ZonedTimestamp: UTC, the fraction with as few digits as it needs
            String iso = DateTimeFormatter.ISO_OFFSET_DATE_TIME
                    .format(Instant.ofEpochSecond(seconds, micros * 1000L).atOffset(ZoneOffset.UTC));
            assertThat(RowMapping.epochMicros(iso)).as(iso).isEqualTo(generalParser(iso));
        }
    }

    @Test
    void instantsFarFromTheEpochKeepTheirValue() {
        // the general parser's microsecond count overflowed before 1678 and after 2262, and such a change was dead-lettered
        assertThat(RowMapping.epochMicros("0001-01-01T00:00:00Z")).isEqualTo(-62_135_596_800_000_000L);
        assertThat(RowMapping.epochMicros("9999-12-31T23:59:59.999999Z")).isEqualTo(253_402_300_799_999_999L);
        assertThat(RowMapping.epochMicros("0001-01-01T01:00:00+01:00")).isEqualTo(-62_135_596_800_000_000L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2024-03-10T07:30:00+01:00", "2024-03-10T07:30:00.5-03:30", "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
            "2024-02-29T23:59:59.999999Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.000001Z", "2024-03-10T07:30:00.123456789Z"})
    void otherSpellingsOfAnInstantAreReadToo(String iso) {
        assertThat(RowMapping.epochMicros(iso)).isEqualTo(generalParser(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z",
            "2024-01-01T23:59:60Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-01 00:00:00Z",
            "2024-01-0aT00:00:00Z", "2024-01-01T00:00:00"})
    void whatIsNoInstantIsRefused(String text) {
        assertThatThrownBy(() -> RowMapping.epochMicros(text)).isInstanceOf(DateTimeParseException.class);
    }

    private static long generalParser(String iso) {
        Instant instant = OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
    }
}
