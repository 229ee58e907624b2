package pipeline.stats;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The statistics of a few trips worked out by hand. */
class MonthlyStatisticsTest {

    private static final long HOUR = 3_600_000_000L;
    private static final LocalDate DAY1 = LocalDate.of(2024, 3, 1);
    private static final LocalDate DAY2 = LocalDate.of(2024, 3, 2);

    @Test
    void aTripEndingAtInfinityLastsForeverAsInPostgres() {
        // PostgreSQL 17: extract(epoch FROM 'infinity' - started_at) = Infinity, and x / Infinity = 0 (15 refuses to subtract)
        MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.of(2024, 3));
        statistics.add(new Trip("v1", 0, DAY1, HOUR, 10.0, null));
        statistics.add(new Trip("v1", HOUR, DAY1, Long.MAX_VALUE, 5.0, null));
        statistics.add(new Trip("v1", 2 * HOUR, DAY2, -Long.MAX_VALUE, 1.0, null)); // ends before it starts: no duration

        VehicleMonth row = statistics.result().get(0);
        assertThat(row.totalDurationS()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(row.avgDurationS()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(row.avgSpeedKmh()).isZero();
        assertThat(row.lastTripEndMicros()).isEqualTo(Long.MAX_VALUE);
        assertThat(row.totalDistanceKm()).isEqualTo(16.0);
    }

    @Test
    void anEndAtInfinityWasCommittedInfinitelyEarlyOrLate() {
        assertThat(TripCandidates.delaySeconds(1_000, 500_000)).isEqualTo(0.5);
        assertThat(TripCandidates.delaySeconds(1_000, Long.MAX_VALUE)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(TripCandidates.delaySeconds(1_000, -Long.MAX_VALUE)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void computesEveryColumnOfOneVehicle() {
        MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.of(2024, 3));
        statistics.add(new Trip("v1", 0, DAY1, HOUR, 10.0, null)); // 3600 s, 10 km
        statistics.add(new Trip("v1", 2 * HOUR, DAY1, 4 * HOUR, 30.0, null)); // 7200 s, 30 km
        statistics.add(new Trip("v1", 5 * HOUR, DAY2, null, 5.0, null)); // no end
        statistics.add(new Trip("v1", 6 * HOUR, DAY2, 5 * HOUR, null, null)); // ends before it starts: no duration
        statistics.add(new Trip("v1", 7 * HOUR, DAY2, 7 * HOUR, 2.0, null)); // zero duration: not in the speed

        VehicleMonth row = statistics.result().get(0);
        assertThat(row.vehicleId()).isEqualTo("v1");
        assertThat(row.month()).isEqualTo("2024-03");
        assertThat(row.tripCount()).isEqualTo(5);
        assertThat(row.totalDistanceKm()).isEqualTo(47.0);
        assertThat(row.avgDistanceKm()).isEqualTo(11.75);
        assertThat(row.maxDistanceKm()).isEqualTo(30.0);
        assertThat(row.medianDistanceKm()).isEqualTo(7.5); // between 5 and 10
        assertThat(row.totalDurationS()).isEqualTo(10_800.0);
        assertThat(row.avgDurationS()).isEqualTo(3_600.0); // (3600 + 7200 + 0) / 3
        assertThat(row.p95DurationS()).isCloseTo(6_840.0, within(1e-9)); // 3600 + 0.9 * 3600
        assertThat(row.avgSpeedKmh()).isCloseTo(3600 * 40.0 / 10_800, within(1e-12));
        assertThat(row.firstTripStartMicros()).isZero();
        assertThat(row.lastTripEndMicros()).isEqualTo(7 * HOUR);
        assertThat(row.activeDays()).isEqualTo(2);
    }

    @Test
    void givesNullsWhereTheSqlDoesAndOneRowPerVehicle() {
        MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.of(2024, 3));
        statistics.add(new Trip("v2", HOUR, DAY1, null, null, null));
        statistics.add(new Trip("v1", HOUR, DAY1, 2 * HOUR, 1.0, null));

        List<VehicleMonth> rows = statistics.result();
        assertThat(rows).extracting(VehicleMonth::vehicleId).containsExactly("v1", "v2");
        VehicleMonth empty = rows.get(1);
        assertThat(empty.totalDistanceKm()).isZero();
        assertThat(empty.totalDurationS()).isZero();
        assertThat(List.of(empty)).extracting(VehicleMonth::avgDistanceKm, VehicleMonth::maxDistanceKm, VehicleMonth::medianDistanceKm,
                VehicleMonth::avgDurationS, VehicleMonth::p95DurationS, VehicleMonth::avgSpeedKmh, VehicleMonth::lastTripEndMicros)
                .containsOnly(org.assertj.core.groups.Tuple.tuple(null, null, null, null, null, null, null));
        assertThat(new MonthlyStatistics(YearMonth.of(2024, 4)).result()).isEmpty();
    }

    @Test
    void delaysCountTheTripsThatHaveOneAndArePercentilesOfThem() {
        MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.of(2024, 3));
        statistics.add(new Trip("v1", 0, DAY1, HOUR, 1.0, 30.0));
        statistics.add(new Trip("v1", HOUR, DAY1, 2 * HOUR, 1.0, 10.0));
        statistics.add(new Trip("v1", 2 * HOUR, DAY1, 3 * HOUR, 1.0, null)); // known only from the snapshot
        statistics.add(new Trip("v2", HOUR, DAY1, 2 * HOUR, 1.0, null));

        List<VehicleMonth> rows = statistics.result();
        assertThat(rows.get(0))
                .extracting(VehicleMonth::delayTrips, VehicleMonth::delayP50S, VehicleMonth::delayP95S, VehicleMonth::delayMaxS)
                .containsExactly(2L, 20.0, 29.0, 30.0);
        assertThat(rows.get(1))
                .extracting(VehicleMonth::delayTrips, VehicleMonth::delayP50S, VehicleMonth::delayP95S, VehicleMonth::delayMaxS)
                .containsExactly(0L, null, null, null);
    }

    @Test
    void wallTimesArePublishedAsTheirInstantsInTheZone() {
        MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.of(2013, 1))
                .withTimelines(Timeline.wallTimeIn(java.time.ZoneId.of("America/New_York")),
                        Timeline.wallTimeIn(java.time.ZoneId.of("America/New_York")));
        long wallStart = java.time.LocalDateTime.parse("2013-01-01T00:18:00").toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000L;
        statistics.add(new Trip("v1", wallStart, java.time.LocalDate.of(2013, 1, 1), wallStart + HOUR, 2.0, null));

        VehicleMonth row = statistics.result().get(0);
        assertThat(java.time.Instant.EPOCH.plusNanos(row.firstTripStartMicros() * 1000)).isEqualTo("2013-01-01T05:18:00Z");
        assertThat(java.time.Instant.EPOCH.plusNanos(row.lastTripEndMicros() * 1000)).isEqualTo("2013-01-01T06:18:00Z");
        assertThat(row.totalDurationS()).isEqualTo(3600.0);
    }

    @Test
    void percentileContInterpolatesBetweenRanks() {
        double[] sorted = {1, 2, 4, 8};
        assertThat(MonthlyStatistics.percentileCont(sorted, 4, 0.5)).isEqualTo(3.0);
        assertThat(MonthlyStatistics.percentileCont(sorted, 4, 0.95)).isCloseTo(7.4, within(1e-12));
        assertThat(MonthlyStatistics.percentileCont(sorted, 1, 0.95)).isEqualTo(1.0);
        assertThat(MonthlyStatistics.percentileCont(sorted, 0, 0.5)).isNull();
    }
}
