package pipeline.lake;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pipeline.lake.Envelopes.change;
import static pipeline.lake.Envelopes.envelope;
import static pipeline.lake.Envelopes.fullTrip;
import static pipeline.lake.Envelopes.trip;

/** Change envelopes become Snappy Parquet files as DuckDB reads them back. */
class LakeBatchWriterTest {

    private static final long COMMIT = 1_710_055_800_000L; // 2024-03-10T07:30:00Z

    private final MovingClock clock = new MovingClock(COMMIT + 2_000);
    private final LakeBatchWriter writer = new LakeBatchWriter(new LakeLayout(ZoneId.of("UTC"), "public.trip", "started_at"), clock);

    @Test
    void writesEveryChangeWithItsValuesTypesAndMetadata() throws Exception {
        LakeBatch batch = write(writer, List.of(
                change(0, 10, envelope("c", null, fullTrip(), COMMIT, 1000)),
                change(0, 11, envelope("u", null, fullTrip().put("rating", null).put("distance_km", null), COMMIT + 1, 1001)),
                change(0, 12, envelope("d", fullTrip(), null, COMMIT + 2, 1002)),
                change(0, 13, null)));

        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.tombstones()).isEqualTo(1);
        assertThat(batch.files()).singleElement().satisfies(file -> {
            assertThat(file.objectKey())
                    .isEqualTo("raw/public.trip/year=2024/month=03/day=10/cdc.public.trip-p0-o00000000000000000010.parquet");
            assertThat(file.rows()).isEqualTo(3);
            assertThat(file.firstOffset()).isEqualTo(10);
            assertThat(file.lastOffset()).isEqualTo(12);
        });
        assertThat(read(batch.files().get(0),
                """
                        SELECT trip_id, vehicle_id, epoch_us(started_at), epoch_us(local_start), CAST(trip_date AS VARCHAR),
                               CAST(distance_km AS VARCHAR), rating, __op, __deleted, __source_ts_ms, __lsn, __txid, __kafka_partition, __kafka_offset
                        FROM file ORDER BY __kafka_offset"""))
                .containsExactly(
                        List.of("7", "v-7", "1710055800123456", "1710000000123456", "2024-03-10", "1234567.891", "4.25", "c", "false",
                                String.valueOf(COMMIT), "1000", "500", "0", "10"),
                        List.of("7", "v-7", "1710055800123456", "1710000000123456", "2024-03-10", "null", "null", "u", "false",
                                String.valueOf(COMMIT + 1), "1001", "500", "0", "11"),
                        List.of("7", "v-7", "1710055800123456", "1710000000123456", "2024-03-10", "1234567.891", "4.25", "d", "true",
                                String.valueOf(COMMIT + 2), "1002", "500", "0", "12"));
        assertThat(read(batch.files().get(0), "SELECT DISTINCT compression FROM parquet_metadata('{file}')"))
                .containsExactly(List.of("SNAPPY"));
    }

    @Test
    void columnNamesAvroWouldRefuseAreKeptAsTheyAre() throws Exception {
        org.apache.kafka.connect.data.Schema row = org.apache.kafka.connect.data.SchemaBuilder.struct().name("cdc.public.trip.Value")
                .field("trip_id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
                .field("started_at", org.apache.kafka.connect.data.SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
                .field("distance km", org.apache.kafka.connect.data.Schema.OPTIONAL_FLOAT64_SCHEMA)
                .field("1st stop", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
                .field("Fahrt-Länge", org.apache.kafka.connect.data.Schema.OPTIONAL_INT32_SCHEMA)
                .build();
        org.apache.kafka.connect.data.Struct trip = new org.apache.kafka.connect.data.Struct(row).put("trip_id", 1L)
                .put("started_at", "2024-03-10T07:30:00Z").put("distance km", 2.5).put("1st stop", "Mitte").put("Fahrt-Länge", 7);

        LakeBatch batch = write(writer, List.of(change(0, 1, envelope("c", null, trip, COMMIT, 1000))));

        assertThat(batch.rejected()).isEmpty();
        assertThat(read(batch.files().get(0), "SELECT trip_id, \"distance km\", \"1st stop\", \"Fahrt-Länge\" FROM file"))
                .containsExactly(List.of("1", "2.5", "Mitte", "7"));
    }

    @Test
    void rejectsWhatIsNoChangeEventAndKeepsTheRestOfTheBatch() {
        byte[] notJson = "hello".getBytes(StandardCharsets.UTF_8);
        byte[] noSchema = "{\"op\":\"c\"}".getBytes(StandardCharsets.UTF_8);
        byte[] unknownOp = new String(envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1), StandardCharsets.UTF_8)
                .replace("\"op\":\"c\"", "\"op\":\"x\"").getBytes(StandardCharsets.UTF_8);

        LakeBatch batch = write(writer, List.of(
                change(0, 1, notJson),
                change(0, 2, envelope("c", null, trip(2, "2024-03-10T08:00:00Z"), COMMIT, 2)),
                change(0, 3, noSchema),
                change(0, 4, unknownOp)));

        assertThat(batch.rejected()).extracting(r -> r.change().offset()).containsExactly(1L, 3L, 4L);
        assertThat(batch.rejected()).allSatisfy(r -> assertThat(r.error()).isNotBlank());
        assertThat(batch.rejected().get(2).error()).contains("unknown operation 'x'");
        assertThat(batch.files()).singleElement().satisfies(file -> {
            assertThat(file.rows()).isEqualTo(1);
            assertThat(file.firstOffset()).isEqualTo(2);
        });
    }

    @Test
    void aFailureThatIsNoBadRecordFailsTheBatchInsteadOfDeadLetteringIt() {
        // a defect (here: no zone to place a commit time in) must stop the batch for a retry, not send good changes away
        LakeBatchWriter broken = new LakeBatchWriter(new LakeLayout(null, "public.vehicle", "started_at"), clock);

        assertThatThrownBy(() -> write(broken, List.of(change(0, 1, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)))))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void startsAFilePerKafkaPartitionDayAndTableSchema() {
        LakeBatch batch = write(writer, List.of(
                change(0, 100, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)),
                change(1, 200, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), COMMIT, 2)),
                change(0, 101, envelope("c", null, trip(3, "2024-03-11T00:00:00Z"), COMMIT, 3)),
                change(0, 102, envelope("c", null, trip(4, "2024-03-10T23:59:59Z"), COMMIT, 4)),
                change(0, 103, envelope("c", null, new org.apache.kafka.connect.data.Struct(Envelopes.ROW_WITH_FARE)
                        .put("trip_id", 5L).put("vehicle_id", "v-5").put("started_at", "2024-03-10T09:00:00Z").put("fare", 9.5), COMMIT,
                        5))));

        assertThat(batch.files()).extracting(LakeFile::objectKey).containsExactlyInAnyOrder(
                "raw/public.trip/year=2024/month=03/day=10/cdc.public.trip-p0-o00000000000000000100.parquet",
                "raw/public.trip/year=2024/month=03/day=10/cdc.public.trip-p1-o00000000000000000200.parquet",
                "raw/public.trip/year=2024/month=03/day=11/cdc.public.trip-p0-o00000000000000000101.parquet",
                "raw/public.trip/year=2024/month=03/day=10/cdc.public.trip-p0-o00000000000000000103.parquet");
        assertThat(batch.rows()).isEqualTo(5);
    }

    @Test
    void coversEveryRecordsOffsetsRejectedAndTombstonesIncluded() {
        LakeBatch batch = write(writer, List.of(
                change(0, 10, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)),
                change(1, 20, "not json".getBytes(StandardCharsets.UTF_8)),
                change(0, 11, null),
                change(1, 21, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), COMMIT, 2))));

        assertThat(batch.offsets()).containsOnly(
                org.assertj.core.api.Assertions.entry(new TopicPartition(Envelopes.TOPIC, 0), new LakeBatch.Offsets(10, 11)),
                org.assertj.core.api.Assertions.entry(new TopicPartition(Envelopes.TOPIC, 1), new LakeBatch.Offsets(20, 21)));
    }

    @Test
    void aPartitionTakenAwayLeavesTheBatchWithItsFilesRejectsAndOffsets() {
        writer.add(change(0, 10, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)));
        writer.add(change(1, 20, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), COMMIT, 2)));
        writer.add(change(1, 21, "not json".getBytes(StandardCharsets.UTF_8)));

        writer.discard(List.of(new TopicPartition(Envelopes.TOPIC, 1)));

        assertThat(writer.size()).isEqualTo(1);
        LakeBatch batch = writer.finish();
        assertThat(batch.files()).extracting(LakeFile::partition).containsExactly(0);
        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.offsets()).containsOnlyKeys(new TopicPartition(Envelopes.TOPIC, 0));
        assertThat(writer.size()).as("a finished batch begins the next").isZero();
    }

    @Test
    void anAbandonedBatchTellsWhereToReadAgain() {
        writer.add(change(0, 10, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)));
        writer.add(change(0, 11, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), COMMIT, 2)));
        writer.add(change(2, 7, null));

        assertThat(writer.abandon()).containsOnly(
                org.assertj.core.api.Assertions.entry(new TopicPartition(Envelopes.TOPIC, 0), 10L),
                org.assertj.core.api.Assertions.entry(new TopicPartition(Envelopes.TOPIC, 2), 7L));
        assertThat(writer.size()).isZero();
        assertThat(writer.finish().files()).isEmpty();
    }

    @Test
    void aBatchIsDueWhenItsOldestChangeIsAFlushIntervalOldCountedFromItsCommit() {
        Duration interval = Duration.ofSeconds(5);
        // read 2 s after its commit: due 3 s later, not 5
        writer.add(change(0, 1, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), COMMIT, 1)));
        assertThat(writer.dueAtMillis(interval)).isEqualTo(COMMIT + 5_000);
        clock.advance(1_000);
        writer.add(change(0, 2, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), COMMIT + 2_500, 2)));
        assertThat(writer.dueAtMillis(interval)).as("a younger change does not delay the batch").isEqualTo(COMMIT + 5_000);
        writer.finish();

        // read a minute after its commit, as in a catch-up: a fifth of the interval still gathers a file
        clock.advance(60_000);
        writer.add(change(0, 3, envelope("c", null, trip(3, "2024-03-10T07:32:00Z"), COMMIT, 3)));
        assertThat(writer.dueAtMillis(interval)).isEqualTo(clock.millis() + 1_000);
        writer.finish();

        // a source clock ahead of ours, or only tombstones: at most the interval after the batch opened
        writer.add(change(0, 4, envelope("c", null, trip(4, "2024-03-10T07:33:00Z"), clock.millis() + 60_000, 4)));
        assertThat(writer.dueAtMillis(interval)).isEqualTo(clock.millis() + 5_000);
        writer.finish();
        writer.add(change(0, 5, null));
        assertThat(writer.dueAtMillis(interval)).isEqualTo(clock.millis() + 5_000);
    }

    @Test
    void onlyABatchHoldingAChangeAFlushIntervalOldIsWrittenWhenTheStreamGoesQuiet() {
        Duration interval = Duration.ofSeconds(5);
        assertThat(writer.waitsOnlyToFill(interval)).as("no batch").isFalse();
        writer.add(change(0, 1, envelope("c", null, trip(1, "2024-03-10T07:30:00Z"), clock.millis() - 1_000, 1)));
        assertThat(writer.waitsOnlyToFill(interval)).as("a fresh change waits for its interval").isFalse();
        clock.advance(4_000);
        assertThat(writer.waitsOnlyToFill(interval)).as("its interval is over").isTrue();
        writer.finish();

        // read a minute after its commit (a snapshot, a backlog): its interval is over before the batch is due
        writer.add(change(0, 2, envelope("c", null, trip(2, "2024-03-10T07:31:00Z"), clock.millis() - 60_000, 2)));
        assertThat(writer.waitsOnlyToFill(interval)).isTrue();
        assertThat(writer.dueAtMillis(interval)).isEqualTo(clock.millis() + 1_000);
        writer.finish();

        writer.add(change(0, 3, null));
        assertThat(writer.waitsOnlyToFill(interval)).as("only a tombstone").isFalse();
    }

    /** A clock the test moves. */
    private static final class MovingClock extends Clock {
        private long millis;

        MovingClock(long millis) {
            this.millis = millis;
        }

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private static LakeBatch write(LakeBatchWriter writer, List<KafkaChange> changes) {
        changes.forEach(writer::add);
        return writer.finish();
    }

    private static List<List<String>> read(LakeFile file, String sql) throws Exception {
        Path path = Files.createTempFile("lake", ".parquet");
        Files.write(path, file.content());
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duckdb.createStatement()) {
            statement.execute("SET TimeZone='UTC'");
            statement.execute("CREATE VIEW file AS SELECT * FROM read_parquet('" + path + "')");
            ResultSet result = statement.executeQuery(sql.replace("{file}", path.toString()));
            List<List<String>> rows = new ArrayList<>();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= result.getMetaData().getColumnCount(); i++) {
                    row.add(String.valueOf(result.getObject(i)));
                }
                rows.add(row);
            }
            return rows;
        } finally {
            Files.delete(path);
        }
    }
}
