package pipeline.lake;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoding JsonConverter envelopes strictly: what JsonConverter alone would read as 0 or null is refused or restored. */
class ChangeEventDecoderTest {

    private final ChangeEventDecoder decoder = new ChangeEventDecoder();

    @ParameterizedTest
    @CsvSource({"NaN", "Infinity", "-Infinity"})
    void nonFiniteDoublesKeepTheirValue(double rating) {
        byte[] envelope = Envelopes.envelope("c", null, Envelopes.fullTrip().put("rating", rating), 1_000L, 42L);
        assertThat(new String(envelope, StandardCharsets.UTF_8)).as("JsonConverter's spelling").contains("\"rating\":\"" + rating + "\"");

        assertThat(value(decoder.decode(Envelopes.TOPIC, envelope), "rating")).isEqualTo(Double.valueOf(rating));
    }

    @Test
    void finiteDoublesAndOtherValuesAreUntouched() {
        ChangeEvent event = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null, Envelopes.fullTrip(), 1_000L, 42L));
        assertThat(value(event, "rating")).isEqualTo(4.25);
        assertThat(value(event, "vehicle_id")).isEqualTo("v-7");
    }

    @ParameterizedTest
    @CsvSource({"NaN", "Infinity", "-Infinity"})
    void textThatSpellsANonFiniteNumberStaysText(String text) {
        ChangeEvent event = decoder.decode(Envelopes.TOPIC, Envelopes.envelope("c", null,
                Envelopes.fullTrip().put("vehicle_id", text).put("rating", Double.NaN), 1_000L, 42L));
        assertThat(value(event, "vehicle_id")).isEqualTo(text);
        assertThat((Double) value(event, "rating")).isNaN();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"trip_id\":7                  | \"trip_id\":\"seven\"        | field after.trip_id should be int64 but is string",
            "\"vehicle_id\":\"v-7\"         | \"vehicle_id\":42            | field after.vehicle_id should be string but is number",
            "\"trip_id\":7                  | \"trip_id\":7.5              | field after.trip_id should be int64 but is number",
            "\"rating\":4.25                | \"rating\":\"high\"          | field after.rating should be double or null but is string",
            "\"vehicle_id\":\"v-7\"         | \"vehicle_id\":null          | field after.vehicle_id should be string but is null",
            "\"op\":\"c\"                   | \"op\":[\"c\"]               | field op should be string but is array",
            "\"txId\":500                 | \"txId\":\"500\"            | field source.txId should be int64 or null but is string",
            "\"ts_ms\":1000,              | \"ts_ms\":true,             | field source.ts_ms should be int64 but is boolean"})
    void aValueOfAnotherTypeThanItsSchemaIsRefused(String written, String replaced, String reason) {
        String envelope = new String(Envelopes.envelope("c", null, Envelopes.fullTrip(), 1_000L, 42L), StandardCharsets.UTF_8);
        assertThat(envelope).contains(written);
        byte[] poisoned = envelope.replace(written, replaced).getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> decoder.decode(Envelopes.TOPIC, poisoned))
                .isInstanceOf(MalformedChangeEventException.class).hasMessage(reason);
    }

    @Test
    void aRecordWithMoreThanSchemaAndPayloadIsRefused() {
        String envelope = new String(Envelopes.envelope("c", null, Envelopes.fullTrip(), 1_000L, 42L), StandardCharsets.UTF_8);
        byte[] extra = (envelope.substring(0, envelope.length() - 1) + ",\"extra\":1}").getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> decoder.decode(Envelopes.TOPIC, extra))
                .isInstanceOf(MalformedChangeEventException.class).hasMessageContaining("fields other than \"schema\" and \"payload\"");
    }

    @Test
    void jsonWithoutSchemaAndNotJsonAreRefused() {
        assertThatThrownBy(
                () -> decoder.decode(Envelopes.TOPIC, "{\"op\":\"c\",\"after\":{\"trip_id\":1}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedChangeEventException.class).hasMessageContaining("no \"schema\" and \"payload\"");
        assertThatThrownBy(() -> decoder.decode(Envelopes.TOPIC, "trip 1 started".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedChangeEventException.class).hasMessageStartingWith("not a JsonConverter record with schema: ");
    }

    private static Object value(ChangeEvent event, String column) {
        return event.row()[event.mapping().position(column)];
    }
}
