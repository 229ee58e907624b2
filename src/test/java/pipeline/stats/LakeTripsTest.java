package pipeline.stats;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.parquet.hadoop.ParquetWriter;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import pipeline.lake.ChangeEvent;
import pipeline.lake.LakeFormat;
import pipeline.lake.ParquetBytes;
import pipeline.lake.RowMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading a month from lake files, against the same trips resolved naively from the change list
 * that produced the files: in one pass or several (a key budget far below the month's keys), on one
 * thread or two, with integer and with text keys, files in the lake's order or shuffled, deletes
 * removing trips or kept as the source's clean-up, and each trip's availability delay.
 */
class LakeTripsTest {

    private static final YearMonth MARCH = YearMonth.of(2024, 3);
    private static final Instant FROM = Instant.parse("2024-02-20T00:00:00Z");
    private static final long SPAN_SECONDS = 50L * 86_400;
    private static final int EVENTS = 20_000;
    private static final int EVENTS_PER_FILE = 2_000;
    /** The first changes are the snapshot's reads; commit times then run over 60 days from FROM. */
    private static final int SNAPSHOT_EVENTS = 300;
    private static final long COMMIT_SPAN_MILLIS = 60L * 86_400_000;

    private record Change(String key, String op, String vehicle, long startSecond, Long endSecond, BigDecimal distance,
            long commitMillis, long lsn, long offset) {
        Change withoutDistance() {
            return new Change(key, op, vehicle, startSecond, endSecond, null, commitMillis, lsn, offset);
        }

        boolean deleted() {
            return op.equals("d");
        }
    }

    @ParameterizedTest(name = "text keys {0}, {1} threads, at most {2} keys per pass, shuffled {3}, keep deleted after {4}")
    @CsvSource({"false, 2, 1000000, false, ", "false, 1, 1000, false, ", "false, 2, 700, true, ", "true, 2, 1000000, false, ",
            "true, 2, 900, true, ", "false, 2, 1000000, true, 10d", "false, 2, 700, false, 10d", "true, 1, 1000000, true, 1s"})
    void readsTheLatestVersionOfEachTripOfTheMonth(boolean textKeys, int threads, long maxKeysPerPass, boolean shuffled,
            String keepDeletedAfter) throws IOException {
        List<Change> changes = randomChanges(new Random(7));
        Map<String, byte[]> lake = writeLake(changes, textKeys, 0);
        List<String> files = new ArrayList<>(lake.keySet());
        if (shuffled) {
            java.util.Collections.shuffle(files, new Random(5));
        }
        Duration keep = keepDeletedAfter == null ? null : keepDeletedAfter.equals("10d") ? Duration.ofDays(10) : Duration.ofSeconds(1);

        MonthlyStatistics read = new MonthlyStatistics(MARCH);
        LakeTrips.Reading reading = lakeTrips(threads, maxKeysPerPass, Duration.ofSeconds(10), keep).read(MARCH, files, fromMemory(lake),
                read);

        assertThat(reading.events()).isEqualTo(changes.size());
        assertEqualToNaiveResolution(read, changes, keep);
    }

    @Test
    void cleanUpDeletesKeepTheirTripsAndCorrectionsRemoveThem() throws IOException {
        List<Change> changes = randomChanges(new Random(7));
        Map<String, byte[]> lake = writeLake(changes, false, 0);
        MonthlyStatistics everyDeleteRemoves = new MonthlyStatistics(MARCH);
        lakeTrips(2, 1_000_000, Duration.ofSeconds(10), null).read(MARCH, List.copyOf(lake.keySet()), fromMemory(lake), everyDeleteRemoves);
        MonthlyStatistics keepingCleanUps = new MonthlyStatistics(MARCH);
        lakeTrips(2, 1_000_000, Duration.ofSeconds(10), Duration.ofDays(10))
                .read(MARCH, List.copyOf(lake.keySet()), fromMemory(lake), keepingCleanUps);

        long tripsKept = latestTripsOfMarch(changes, Duration.ofDays(10)).size();
        long tripsLeft = latestTripsOfMarch(changes, null).size();
        assertThat(tripsKept - tripsLeft).as("trips deleted more than 10 days after their start").isGreaterThan(100);
        assertThat(latestTripsOfMarch(changes, Duration.ofSeconds(1))).as("a 1 s limit keeps nearly every deleted trip")
                .hasSizeGreaterThan((int) tripsKept);
        assertThat(keepingCleanUps.result().stream().mapToLong(VehicleMonth::tripCount).sum()).isEqualTo(tripsKept);
        assertThat(everyDeleteRemoves.result().stream().mapToLong(VehicleMonth::tripCount).sum()).isEqualTo(tripsLeft);
    }

    @Test
    void delaysCountCapturedChangesOnlyAndTheEarliestThatCarriedTheEnd() throws IOException {
        List<Change> changes = randomChanges(new Random(7));
        List<Trip> trips = latestTripsOfMarch(changes, null);
        assertThat(trips).filteredOn(trip -> trip.endMicros() != null && trip.delaySeconds() == null)
                .as("trips with an end known only from the snapshot").isNotEmpty();
        assertThat(trips).filteredOn(trip -> trip.delaySeconds() != null).hasSizeGreaterThan(500);
        Map<String, byte[]> lake = writeLake(changes, false, 0);
        MonthlyStatistics read = new MonthlyStatistics(MARCH);
        lakeTrips(2, 1_000_000, Duration.ofSeconds(10), null).read(MARCH, List.copyOf(lake.keySet()), fromMemory(lake), read);
        assertThat(read.result().stream().mapToLong(VehicleMonth::delayTrips).sum())
                .isEqualTo(trips.stream().filter(trip -> trip.delaySeconds() != null).count());
    }

    @Test
    void aDistanceColumnAddedToTheSourceLaterReadsAsNullInOlderFiles() throws IOException {
        List<Change> generated = randomChanges(new Random(11));
        int addedAt = generated.size() / 2 / EVENTS_PER_FILE * EVENTS_PER_FILE;
        List<Change> changes = IntStream.range(0, generated.size())
                .mapToObj(i -> i < addedAt ? generated.get(i).withoutDistance() : generated.get(i)).toList();
        Map<String, byte[]> lake = writeLake(changes, false, addedAt);

        MonthlyStatistics read = new MonthlyStatistics(MARCH);
        lakeTrips(2, 1_000_000, Duration.ofSeconds(10), null).read(MARCH, List.copyOf(lake.keySet()), fromMemory(lake), read);

        assertEqualToNaiveResolution(read, changes, null);
        assertThat(latestChangesOfMarch(changes, null)).filteredOn(change -> change.offset() < changes.get(addedAt).offset())
                .as("trips whose latest version was written before the column existed").hasSizeGreaterThan(100);
    }

    @Test
    void logsProgressAndTheNumberOfPasses() throws IOException {
        List<Change> changes = randomChanges(new Random(3));
        Map<String, byte[]> lake = writeLake(changes, false, 0);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LakeTrips.class);
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            lakeTrips(2, 500, Duration.ZERO, null).read(MARCH, List.copyOf(lake.keySet()), fromMemory(lake), new MonthlyStatistics(MARCH));
        } finally {
            logger.detachAppender(log);
        }

        List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines).anyMatch(line -> line.matches("Statistics for 2024-03: about \\d+ trip keys per pass, more than the heap "
                + "holds at once \\(500\\); reading the lake in \\d+ passes"));
        assertThat(lines).anyMatch(line -> line.matches(
                "Statistics for 2024-03 \\(pass 1 of \\d+\\): 1/" + lake.size() + " files, \\d+ events read, \\d+ events/s"));
        assertThat(lines).anyMatch(line -> line.matches(
                "Statistics for 2024-03 \\(pass \\d+ of \\d+\\): " + lake.size() + "/" + lake.size() + " files, " + changes.size()
                        + " events read, \\d+ events/s"));
    }

    private static LakeTrips lakeTrips(int threads, long maxKeysPerPass, Duration progressInterval, Duration keepDeletedAfter) {
        return new LakeTrips(new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km"), ZoneOffset.UTC,
                keepDeletedAfter, threads, maxKeysPerPass, progressInterval);
    }

    private static void assertEqualToNaiveResolution(MonthlyStatistics read, List<Change> changes, Duration keepDeletedAfter) {
        MonthlyStatistics expected = new MonthlyStatistics(MARCH);
        latestTripsOfMarch(changes, keepDeletedAfter).forEach(expected::add);
        assertThat(read.result()).hasSizeGreaterThan(50);
        assertThat(read.result()).usingRecursiveFieldByFieldElementComparator(
                RecursiveComparisonConfiguration.builder().withComparatorForType(LakeTripsTest::compareDoubles, Double.class).build())
                .containsExactlyElementsOf(expected.result());
    }

    /** Equal within a relative 1e-9: the sums add the same values in another order. */
    private static int compareDoubles(Double a, Double b) {
        if (a == null || b == null) {
            return a == null && b == null ? 0 : a == null ? -1 : 1;
        }
        return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) ? 0 : Double.compare(a, b);
    }

    /**
     * Snapshot reads, then inserts, updates finishing or moving a trip (some into another month), updates
     * that keep the end or bring an earlier end back, key-only deletes, re-inserted keys.
     */
    private static List<Change> randomChanges(Random random) {
        List<Change> changes = new ArrayList<>();
        Map<String, Change> live = new LinkedHashMap<>();
        Map<String, Long> firstEnd = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            boolean snapshot = i < SNAPSHOT_EVENTS;
            int kind = snapshot || keys.size() < 100 ? 50 : random.nextInt(100);
            long lsn = 1_000_000L + i * 10L;
            long commitMillis = snapshot ? FROM.toEpochMilli() : FROM.toEpochMilli() + COMMIT_SPAN_MILLIS * i / EVENTS;
            Change change;
            if (kind < 55) {
                String key = kind < 3 && !keys.isEmpty() ? keys.get(random.nextInt(keys.size())) : "trip-" + keys.size();
                if (!keys.contains(key)) {
                    keys.add(key);
                }
                long start = FROM.getEpochSecond() + (long) (random.nextDouble() * SPAN_SECONDS);
                Long end = snapshot && random.nextBoolean() ? start + random.nextInt(3_600) : null;
                change = new Change(key, snapshot ? "r" : "c", "vehicle-" + random.nextInt(120), start, end, null, commitMillis, lsn, i);
            } else {
                String key = keys.get(random.nextInt(keys.size()));
                Change before = live.get(key);
                if (before == null) {
                    continue;
                }
                if (kind < 90) {
                    long start = kind < 75 || kind >= 85
                            ? before.startSecond()
                            : before.startSecond() + random.nextInt(20 * 86_400) - 10 * 86_400;
                    Long end = kind >= 88 && firstEnd.containsKey(key)
                            ? firstEnd.get(key)
                            : kind >= 85
                                    ? before.endSecond()
                                    : random.nextInt(10) == 0 ? null : start + random.nextInt(7_200) - 300;
                    BigDecimal distance = random.nextInt(10) == 0 ? null : BigDecimal.valueOf(random.nextInt(80_000), 3);
                    change = new Change(key, "u", before.vehicle(), start, end, distance, commitMillis, lsn, i);
                } else {
                    change = new Change(key, "d", null, 0, null, null, commitMillis, lsn, i);
                }
            }
            changes.add(change);
            if (change.deleted()) {
                live.remove(change.key());
            } else {
                live.put(change.key(), change);
                if (change.endSecond() != null) {
                    firstEnd.putIfAbsent(change.key(), change.endSecond());
                }
            }
        }
        return changes;
    }

    /**
     * The latest version of each key that starts in March, in list order (the log's): a key whose last
     * change is a delete keeps its version before only when the delete came more than {@code keepDeletedAfter}
     * after the start.
     */
    private static List<Change> latestChangesOfMarch(List<Change> changes, Duration keepDeletedAfter) {
        Map<String, Change> latest = new HashMap<>();
        for (Change change : changes) {
            Change before = latest.get(change.key());
            boolean cleanUp = change.deleted() && before != null && !before.deleted() && keepDeletedAfter != null
                    && change.commitMillis() * 1000 - before.startSecond() * 1_000_000L > keepDeletedAfter.toNanos() / 1000;
            if (!cleanUp) {
                latest.put(change.key(), change);
            }
        }
        return latest.values().stream().filter(change -> !change.deleted() && YearMonth.from(startDay(change)).equals(MARCH)).toList();
    }

    private static List<Trip> latestTripsOfMarch(List<Change> changes, Duration keepDeletedAfter) {
        return latestChangesOfMarch(changes, keepDeletedAfter).stream().map(change -> new Trip(change.vehicle(),
                change.startSecond() * 1_000_000L, startDay(change), change.endSecond() == null ? null : change.endSecond() * 1_000_000L,
                change.distance() == null ? null : change.distance().doubleValue(), delaySeconds(changes, change))).toList();
    }

    /** Commit of the earliest captured change of the key that carried the latest version's end, minus that end. */
    private static Double delaySeconds(List<Change> changes, Change latest) {
        if (latest.endSecond() == null) {
            return null;
        }
        return changes.stream().filter(change -> change.key().equals(latest.key()) && !change.op().equals("r")
                && latest.endSecond().equals(change.endSecond()))
                .findFirst().map(change -> (change.commitMillis() * 1000 - latest.endSecond() * 1_000_000L) / 1e6).orElse(null);
    }

    private static LocalDate startDay(Change change) {
        return Instant.ofEpochSecond(change.startSecond()).atZone(ZoneOffset.UTC).toLocalDate();
    }

    private static Schema rowSchema(boolean textKeys, boolean withDistance) {
        SchemaBuilder row = SchemaBuilder.struct().name("cdc.public.trip.Value")
                .field("trip_id", textKeys ? Schema.STRING_SCHEMA : Schema.INT64_SCHEMA)
                .field("vehicle_id", Schema.OPTIONAL_STRING_SCHEMA)
                .field("started_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build())
                .field("ended_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build());
        if (withDistance) {
            row.field("distance_km", Decimal.builder(3).parameter("connect.decimal.precision", "10").optional().build());
        }
        return row.build();
    }

    /**
     * Files like the lake writer's: by start month, a delete (key only, start at the epoch) by its commit month.
     * The changes listed before index {@code distanceFrom} are written as if the table had no distance column yet.
     */
    private static Map<String, byte[]> writeLake(List<Change> changes, boolean textKeys, int distanceFrom) throws IOException {
        Map<String, byte[]> lake = new LinkedHashMap<>();
        for (int first = 0; first < changes.size(); first += EVENTS_PER_FILE) {
            Schema row = rowSchema(textKeys, first >= distanceFrom);
            RowMapping mapping = RowMapping.of("public.trip", row);
            Map<String, List<GenericRecord>> partitions = new LinkedHashMap<>();
            for (Change change : changes.subList(first, Math.min(first + EVENTS_PER_FILE, changes.size()))) {
                // the lake's form: instants in micros, decimals as unscaled bytes
                Object[] values = new Object[row.fields().size()];
                values[0] = textKeys ? change.key() : (Object) Long.parseLong(change.key().substring(5));
                values[1] = change.vehicle();
                values[2] = change.startSecond() * 1_000_000L;
                values[3] = change.endSecond() == null ? null : change.endSecond() * 1_000_000L;
                if (row.field("distance_km") != null && change.distance() != null) {
                    values[4] = ByteBuffer.wrap(change.distance().setScale(3).unscaledValue().toByteArray());
                }
                YearMonth partition = YearMonth.from((change.deleted()
                        ? Instant.ofEpochMilli(change.commitMillis())
                        : Instant.ofEpochSecond(change.startSecond())).atZone(ZoneOffset.UTC));
                ChangeEvent event = new ChangeEvent("public.trip", change.op(), mapping, values, change.commitMillis(), change.lsn(), null);
                partitions.computeIfAbsent(String.format("raw/public.trip/year=%d/month=%02d/f-%06d.parquet", partition.getYear(),
                        partition.getMonthValue(), first), key -> new ArrayList<>()).add(mapping.toRecord(event, 0, change.offset()));
            }
            for (Map.Entry<String, List<GenericRecord>> partition : partitions.entrySet()) {
                ParquetBytes bytes = new ParquetBytes();
                try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(bytes, mapping.avroSchema())) {
                    for (GenericRecord record : partition.getValue()) {
                        writer.write(record);
                    }
                }
                lake.put(partition.getKey(), bytes.toByteArray());
            }
        }
        return lake;
    }

    /** Each pass reads the files from memory, one content per key. */
    private static java.util.function.Supplier<java.util.function.Function<String, List<byte[]>>> fromMemory(Map<String, byte[]> lake) {
        return () -> key -> List.of(lake.get(key));
    }
}
