package pipeline.lake;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which day partition a change lands in. */
class LakeLayoutTest {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final long COMMIT = 1_717_243_200_000L; // 2024-06-01T12:00:00Z

    @Test
    void theStatisticsTablePartitionsByTripStartInThePipelineZone() {
        LakeLayout layout = new LakeLayout(NEW_YORK, "public.trip", "started_at");
        assertThat(layout.partitionDate(event("c", Envelopes.trip(1, "2024-03-01T03:00:00Z"))))
                .isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(layout.partitionDate(event("u", Envelopes.trip(1, "2024-03-01T05:00:00Z"))))
                .isEqualTo(LocalDate.of(2024, 3, 1));
    }

    @Test
    void aTimestampWithoutZoneIsAlreadyWallTime() {
        LakeLayout layout = new LakeLayout(NEW_YORK, "public.trip", "local_start");
        // 2024-03-01T02:00 as wall time: stays on March 1st whatever the zone
        Struct row = Envelopes.trip(1, "2024-02-20T00:00:00Z").put("local_start", 1_709_258_400_000_000L);
        assertThat(layout.partitionDate(event("c", row))).isEqualTo(LocalDate.of(2024, 3, 1));
    }

    @Test
    void otherTablesAndKeyOnlyDeletesPartitionByCommitTime() {
        LakeLayout otherTable = new LakeLayout(NEW_YORK, "public.vehicle", "started_at");
        assertThat(otherTable.partitionDate(event("c", Envelopes.trip(1, "2024-03-01T03:00:00Z"))))
                .isEqualTo(LocalDate.of(2024, 6, 1));

        LakeLayout trips = new LakeLayout(NEW_YORK, "public.trip", "started_at");
        // Debezium fills the NOT NULL start of a key-only old row with the epoch
        assertThat(trips.partitionDate(event("d", Envelopes.trip(1, "1970-01-01T00:00:00Z"))))
                .isEqualTo(LocalDate.of(2024, 6, 1));
        // under REPLICA IDENTITY FULL the delete carries the real start
        assertThat(trips.partitionDate(event("d", Envelopes.trip(1, "2024-03-01T03:00:00Z"))))
                .isEqualTo(LocalDate.of(2024, 2, 29));
    }

    @Test
    void anInfiniteStartPartitionsByCommitTime() {
        LakeLayout byInstant = new LakeLayout(NEW_YORK, "public.trip", "started_at");
        assertThat(byInstant.partitionDate(event("c", Envelopes.trip(1, "infinity")))).isEqualTo(LocalDate.of(2024, 6, 1));
        assertThat(byInstant.partitionDate(event("c", Envelopes.trip(1, "-infinity")))).isEqualTo(LocalDate.of(2024, 6, 1));

        LakeLayout byWallTime = new LakeLayout(NEW_YORK, "public.trip", "local_start");
        Struct row = Envelopes.trip(1, "2024-02-20T00:00:00Z").put("local_start", 9_223_372_036_825_200_000L);
        assertThat(byWallTime.partitionDate(event("c", row))).isEqualTo(LocalDate.of(2024, 6, 1));

        LakeLayout byDate = new LakeLayout(NEW_YORK, "public.trip", "trip_date");
        assertThat(byDate.partitionDate(event("c", Envelopes.trip(1, "2024-02-20T00:00:00Z").put("trip_date", -2_147_472_691))))
                .isEqualTo(LocalDate.of(2024, 6, 1));
    }

    @Test
    void objectKeysSortByOffsetAndNameTheirOrigin() {
        List<String> keys = List.of(
                LakeLayout.objectKey("public.trip", LocalDate.of(2024, 1, 5), "cdc.public.trip", 2, 99),
                LakeLayout.objectKey("public.trip", LocalDate.of(2024, 1, 5), "cdc.public.trip", 2, 100));
        assertThat(keys).containsExactly(
                "raw/public.trip/year=2024/month=01/day=05/cdc.public.trip-p2-o00000000000000000099.parquet",
                "raw/public.trip/year=2024/month=01/day=05/cdc.public.trip-p2-o00000000000000000100.parquet");
        assertThat(keys).isSorted();
    }

    private static ChangeEvent event(String op, Struct row) {
        boolean delete = op.equals("d");
        return new ChangeEventDecoder().decode(Envelopes.TOPIC,
                Envelopes.envelope(op, delete ? row : null, delete ? null : row, COMMIT, 1L));
    }
}
