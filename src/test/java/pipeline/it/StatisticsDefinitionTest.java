package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.stats.MonthlyStatistics;
import pipeline.stats.Trip;
import pipeline.stats.VehicleMonth;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The statistics computed in Java equal the contract's SQL definition run by PostgreSQL on the
 * same trips: random trips around month edges and DST changes, null and negative durations.
 */
class StatisticsDefinitionTest {

    private static final String CONTRACT_QUERY = """
            WITH t AS (
              SELECT vehicle_id::text AS vehicle_id, started_at, ended_at,
                     distance_km::float8 AS d,
                     CASE WHEN ended_at >= started_at
                          THEN extract(epoch FROM ended_at - started_at)::float8 END AS dur
              FROM %3$s
              WHERE started_at >= (timestamp '%1$s-01' AT TIME ZONE '%2$s')
                AND started_at <  (timestamp '%1$s-01' + interval '1 month') AT TIME ZONE '%2$s')
            SELECT vehicle_id,
                   '%1$s'                                             AS month,
                   count(*)                                           AS trip_count,
                   coalesce(sum(d), 0)                                AS total_distance_km,
                   avg(d)                                             AS avg_distance_km,
                   max(d)                                             AS max_distance_km,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY d)     AS median_distance_km,
                   coalesce(sum(dur), 0)                              AS total_duration_s,
                   avg(dur)                                           AS avg_duration_s,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY dur)  AS p95_duration_s,
                   3600 * sum(d)   FILTER (WHERE dur > 0 AND d IS NOT NULL)
                        / nullif(sum(dur) FILTER (WHERE dur > 0 AND d IS NOT NULL), 0) AS avg_speed_kmh,
                   min(started_at)                                    AS first_trip_start,
                   max(ended_at)                                      AS last_trip_end,
                   count(DISTINCT (started_at AT TIME ZONE '%2$s')::date)  AS active_days
            FROM t GROUP BY vehicle_id""";

    @ParameterizedTest
    @CsvSource({"1, 2024-03, Europe/Paris", "2, 2024-10, Europe/Paris", "3, 2024-02, UTC", "4, 2024-11, America/New_York"})
    void javaStatisticsEqualTheSqlDefinition(long seed, String month, String zone) throws Exception {
        try (Connection pg = SharedServers.postgres(); Statement statement = pg.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS trip_stats");
            statement.execute("CREATE TABLE trip_stats (trip_id bigint PRIMARY KEY, vehicle_id bigint, "
                    + "started_at timestamptz NOT NULL, ended_at timestamptz, distance_km numeric(10,3))");
            insertRandomTrips(pg, seed, YearMonth.parse(month));

            List<List<Object>> expected = contractRows(pg, "trip_stats", month, zone);

            MonthlyStatistics statistics = new MonthlyStatistics(YearMonth.parse(month));
            ZoneId zoneId = ZoneId.of(zone);
            try (ResultSet rows = statement.executeQuery("SELECT vehicle_id::text, (extract(epoch FROM started_at) * 1000000)::bigint, "
                    + "(extract(epoch FROM ended_at) * 1000000)::bigint, distance_km::float8 FROM trip_stats")) {
                while (rows.next()) {
                    long start = rows.getLong(2);
                    var day = Instant.EPOCH.plusNanos(start * 1000).atZone(zoneId).toLocalDate();
                    if (YearMonth.from(day).equals(YearMonth.parse(month))) {
                        statistics.add(new Trip(rows.getString(1), start, day,
                                (Long) rows.getObject(3), (Double) rows.getObject(4), null));
                    }
                }
            }
            List<VehicleMonth> actual = statistics.result().stream()
                    .sorted((a, b) -> a.vehicleId().compareTo(b.vehicleId())).toList();

            assertThat(expected).hasSizeGreaterThan(10);
            assertEqualToContract(asRows(actual), expected);
        }
    }

    /** Computed statistics as the contract's 14 columns, vehicles in order, NULL as {@link #NULL}. */
    static List<List<Object>> asRows(List<VehicleMonth> statistics) {
        return statistics.stream().sorted((a, b) -> a.vehicleId().compareTo(b.vehicleId()))
                .map(row -> List.<Object>of(row.vehicleId(), row.month(), row.tripCount(),
                        row.totalDistanceKm(), nullable(row.avgDistanceKm()), nullable(row.maxDistanceKm()),
                        nullable(row.medianDistanceKm()),
                        row.totalDurationS(), nullable(row.avgDurationS()), nullable(row.p95DurationS()), nullable(row.avgSpeedKmh()),
                        row.firstTripStartMicros(), nullable(row.lastTripEndMicros()), row.activeDays()))
                .toList();
    }

    private static Object nullable(Object value) {
        return value == null ? NULL : value;
    }

    /** Stands for SQL NULL inside immutable lists. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "NULL";
        }
    };

    /** The contract's query (section 6) run by PostgreSQL: 14 columns per vehicle, instants as epoch micros, NULL as {@link #NULL}. */
    static List<List<Object>> contractRows(Connection pg, String table, String month, String zone) throws Exception {
        try (Statement statement = pg.createStatement();
                ResultSet rows = statement.executeQuery("SELECT vehicle_id, month, trip_count, total_distance_km, avg_distance_km, "
                        + "max_distance_km, median_distance_km, total_duration_s, avg_duration_s, p95_duration_s, avg_speed_kmh, "
                        + "(extract(epoch FROM first_trip_start) * 1000000)::bigint, (extract(epoch FROM last_trip_end) * 1000000)::bigint, "
                        + "active_days FROM (" + String.format(CONTRACT_QUERY, month, zone, table) + ") s ORDER BY vehicle_id")) {
            return statisticsRows(rows);
        }
    }

    /** The 14 statistics columns of each row, SQL NULL as {@link #NULL}. */
    static List<List<Object>> statisticsRows(ResultSet rows) throws java.sql.SQLException {
        List<List<Object>> result = new ArrayList<>();
        while (rows.next()) {
            List<Object> row = new ArrayList<>();
            for (int i = 1; i <= 14; i++) {
                Object value = rows.getObject(i);
                row.add(value == null ? NULL : value);
            }
            result.add(row);
        }
        return result;
    }

    /** Rows equal the contract's: text and counts exactly, doubles within a relative 1e-9, nulls where it has nulls. */
    static void assertEqualToContract(List<List<Object>> actual, List<List<Object>> expected) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.size(); i++) {
            List<Object> row = actual.get(i);
            List<Object> sql = expected.get(i);
            for (int column = 0; column < 14; column++) {
                Object a = row.get(column);
                Object e = sql.get(column);
                String where = "vehicle " + sql.get(0) + ", column " + (column + 1);
                if (e == NULL || a == NULL) {
                    assertThat(a).as(where).isSameAs(e);
                } else if (e instanceof Double || e instanceof java.math.BigDecimal) {
                    double value = ((Number) e).doubleValue();
                    assertThat(Math.abs(((Number) a).doubleValue() - value)).as(where)
                            .isLessThanOrEqualTo(1e-9 * Math.max(1, Math.abs(value)));
                } else if (e instanceof Number number) {
                    assertThat(((Number) a).longValue()).as(where).isEqualTo(number.longValue());
                } else {
                    assertThat(String.valueOf(a)).as(where).isEqualTo(String.valueOf(e));
                }
            }
        }
    }

    private static void insertRandomTrips(Connection pg, long seed, YearMonth month) throws Exception {
        Random random = new Random(seed);
        // from two days before the month to two days after it, so month edges and DST changes are crossed
        Instant from = month.atDay(1).atStartOfDay(ZoneId.of("UTC")).toInstant().minusSeconds(2 * 86_400);
        long span = (month.lengthOfMonth() + 4) * 86_400L;
        try (PreparedStatement insert = pg.prepareStatement("INSERT INTO trip_stats VALUES (?, ?, ?, ?, ?)")) {
            for (int id = 1; id <= 3000; id++) {
                Instant start = from.plusMillis((long) (random.nextDouble() * span * 1000)).plusNanos(random.nextInt(1000) * 1000L);
                int shape = random.nextInt(10);
                Instant end = shape == 0
                        ? null
                        : shape == 1
                                ? start.minusSeconds(random.nextInt(600))
                                : shape == 2
                                        ? start
                                        : start.plusMillis(random.nextInt(3 * 3_600_000));
                insert.setLong(1, id);
                insert.setLong(2, 1 + random.nextInt(40));
                insert.setObject(3, java.time.OffsetDateTime.ofInstant(start, ZoneId.of("UTC")));
                insert.setObject(4, end == null ? null : java.time.OffsetDateTime.ofInstant(end, ZoneId.of("UTC")));
                insert.setBigDecimal(5, random.nextInt(8) == 0 ? null : java.math.BigDecimal.valueOf(random.nextInt(50_000_000), 3));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

}
