package pipeline.stats;

import java.time.YearMonth;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StatisticsOutputTest {

    private static final VehicleMonth ROW = new VehicleMonth("v1", "2024-03", 3, 12.5, 4.1666, 6.0, 4.0, 5400.0, 1800.0, 2700.0,
            8.33, 1_709_251_200_000_000L, 1_709_258_400_000_000L, 2, 2, 15.0, 19.5, 20.0);
    private static final VehicleMonth EMPTY = new VehicleMonth("v2", "2024-03", 1, 0.0, null, null, null, 0.0, null, null,
            null, 1_709_251_200_000_000L, null, 1, 0, null, null, null);

    @Test
    void aPublishedFileReadsBackAsItsRows() {
        assertThat(StatisticsOutput.rows(StatisticsOutput.parquet(List.of(ROW, EMPTY)))).containsExactly(ROW, EMPTY);
    }

    @Test
    void onlyARealDifferenceMakesAnotherResult() {
        assertThat(StatisticsOutput.sameResult(List.of(ROW, EMPTY), List.of(ROW, EMPTY))).isTrue();
        VehicleMonth reordered = new VehicleMonth("v1", "2024-03", 3, 12.5 * (1 + 1e-15), 4.1666, 6.0, 4.0, 5400.0, 1800.0, 2700.0,
                8.33, 1_709_251_200_000_000L, 1_709_258_400_000_000L, 2, 2, 15.0, 19.5, 20.0);
        assertThat(StatisticsOutput.sameResult(List.of(ROW), List.of(reordered))).as("the same sum added in another order").isTrue();
        VehicleMonth later = new VehicleMonth("v1", "2024-03", 3, 12.5, 4.1666, 6.0, 4.0, 5400.0, 1800.0, 2700.0,
                8.33, 1_709_251_200_000_000L, 1_709_258_400_000_001L, 2, 2, 15.0, 19.5, 20.0);
        assertThat(StatisticsOutput.sameResult(List.of(ROW), List.of(later))).isFalse();
        VehicleMonth moreDelay = new VehicleMonth("v1", "2024-03", 3, 12.5, 4.1666, 6.0, 4.0, 5400.0, 1800.0, 2700.0,
                8.33, 1_709_251_200_000_000L, 1_709_258_400_000_000L, 2, 2, 15.0, 19.5, 20.001);
        assertThat(StatisticsOutput.sameResult(List.of(ROW), List.of(moreDelay))).isFalse();
        assertThat(StatisticsOutput.sameResult(List.of(ROW, EMPTY), List.of(ROW))).as("a vehicle gone").isFalse();
    }

    @Test
    void aManifestNamesItsMonthAndRevision() {
        byte[] manifest = StatisticsOutput.manifest(YearMonth.of(2024, 3), List.of(ROW), new LakeTrips.Reading(4, 100), true, 3,
                StatisticsJob.Reason.LATE_CHANGES);
        assertThat(StatisticsOutput.revision(manifest)).isEqualTo(3);
        assertThat(new String(manifest, java.nio.charset.StandardCharsets.UTF_8)).contains("\"reason\" : \"late-changes\"");
        assertThat(StatisticsOutput.revision("{\"month\":\"2024-03\"}".getBytes())).as("written before revisions").isEqualTo(1);
        assertThat(StatisticsOutput.publishedMonth("stats/vehicle_monthly/year=2024/month=03/_SUCCESS")).contains(YearMonth.of(2024, 3));
        assertThat(StatisticsOutput.publishedMonth("stats/vehicle_monthly/year=2024/month=03/part-00000.parquet")).isEmpty();
    }
}
