package pipeline.it;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import pipeline.compaction.LakeCompaction;
import pipeline.lake.LakeFileReads;
import pipeline.stats.LakeTrips;
import pipeline.stats.MonthlyStatistics;
import pipeline.stats.StatisticsJob;
import pipeline.stats.TripColumns;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;

/**
 * Contract section 8: compaction rewrites the raw lake's day partitions as a few files sorted by key
 * then {@code __lsn}, keeps every change once, and leaves every reader's answer as it was: before,
 * while a reader holds a listing taken before the swap, after, and after a run cut short at each
 * step of a swap and finished by the next.
 */
class CompactionTest {

    private static final TripColumns COLUMNS = new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km");
    private static final String MARCH = "2024-03";
    /** Every change event by its identity: which record of the change topic it came from, and what it did. */
    private static final String EVENTS = "SELECT trip_id, __op, __lsn, __kafka_partition, __kafka_offset, __source_ts_ms FROM {events} "
            + "ORDER BY __kafka_partition, __kafka_offset";

    @Test
    void compactedDaysHoldEveryChangeOnceInKeyOrderAndEveryReaderAnswersAsBefore() throws Exception {
        String name = "trip_compact";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            S3Client s3 = SharedServers.s3();
            changeRounds(name, 0, 6, 100);
            awaitLakeEqualsTable(lake, name);
            List<List<String>> events = lake.query(EVENTS);
            Map<String, List<S3Object>> before = partitions(s3, pipeline.bucket, pipeline.table);
            List<String> listedBefore = lake.keys();
            Path original = lake.download(listedBefore.get(0));
            List<List<Object>> contract = contractRows(SharedServers.postgres(), name, MARCH, "UTC");
            assertEqualToContract(statistics(s3, pipeline, lake), contract);

            AtomicInteger filesCompacted = new AtomicInteger();
            // 8 KB files and a 64 KB sort buffer: several files per day, several sorted runs merged
            LakeCompaction compaction = new LakeCompaction(s3, pipeline.bucket, List.of(pipeline.table), table -> List.of("trip_id"),
                    Duration.ofSeconds(1), 8 << 10, Duration.ZERO, 64 << 10, java.time.Clock.systemUTC())
                    .withListener((table, files) -> filesCompacted.addAndGet(files));
            Thread.sleep(1_100);
            // the statistics computed again and again while the swap runs, each one exact
            java.util.concurrent.CompletableFuture<LakeCompaction.Summary> compacting = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> compaction.run(() -> true));
            int duringSwap = 0;
            while (!compacting.isDone()) {
                assertEqualToContract(statistics(s3, pipeline, lake), contract);
                duringSwap++;
            }
            assertThat(duringSwap).as("statistics runs while compaction ran").isGreaterThanOrEqualTo(1);
            LakeCompaction.Summary summary = compacting.get();

            List<String> eligible = before.entrySet().stream().filter(partition -> partition.getValue().size() > 1).map(Map.Entry::getKey)
                    .toList();
            assertThat(eligible).as("day partitions with several files").hasSizeGreaterThanOrEqualTo(5);
            assertThat(summary.partitions()).isEqualTo(eligible.size());
            assertThat(filesCompacted.get()).isEqualTo(eligible.stream().mapToInt(partition -> before.get(partition).size()).sum());
            Map<String, List<S3Object>> after = partitions(s3, pipeline.bucket, pipeline.table);
            for (String partition : before.keySet()) {
                List<S3Object> files = after.get(partition);
                if (!eligible.contains(partition)) {
                    assertThat(names(files)).as(partition + ", a single file").isEqualTo(names(before.get(partition)));
                    continue;
                }
                assertThat(runs(files)).as(partition + ": the files of one compaction").hasSize(1);
                assertThat(files).as(partition + ": at most the target size")
                        .allSatisfy(file -> assertThat(file.size()).isLessThanOrEqualTo(8 << 10));
                assertSortedByKeyThenLsn(lake, files);
            }
            assertThat(after.values().stream().mapToInt(List::size).sum()).as("files after")
                    .isLessThan(before.values().stream().mapToInt(List::size).sum() / 2);
            assertThat(lake.objects("compaction/")).as("manifests of finished swaps").isEmpty();
            assertThat(lake.query(EVENTS)).as("every change, once").isEqualTo(events);
            awaitLakeEqualsTable(lake, name);
            assertThat(columnTypes(lake.download(after.get(eligible.get(0)).get(0).key()))).as("column types")
                    .isEqualTo(columnTypes(original));
            assertEqualToContract(statistics(s3, pipeline, lake), contract);

            // a reader that listed the files before the swap and reads them after it: each vanished file is read from its replacement
            MonthlyStatistics midSwap = new MonthlyStatistics(YearMonth.parse(MARCH));
            new LakeTrips(COLUMNS, ZoneOffset.UTC, null).read(YearMonth.parse(MARCH), listedBefore,
                    () -> new LakeFileReads(s3, pipeline.bucket, listedBefore)::read, midSwap);
            assertEqualToContract(StatisticsDefinitionTest.asRows(midSwap.result()), contract);

            // a late change to a compacted day lands in a file of its own, and the day is compacted again
            execute("UPDATE public." + name + " SET distance_km = 99.5, ended_at = started_at + interval '1 hour' WHERE trip_id = 5");
            awaitLakeEqualsTable(lake, name);
            String day = "raw/" + pipeline.table + "/year=2024/month=03/day=01/";
            assertThat(partitions(s3, pipeline.bucket, pipeline.table).get(day)).as("the late change beside the compacted files")
                    .anySatisfy(file -> assertThat(file.key()).doesNotContain("compacted-"));
            List<List<String>> withLateChange = lake.query(EVENTS);
            assertThat(withLateChange).hasSize(events.size() + 1).containsAll(events);
            Thread.sleep(1_100);
            assertThat(compaction.run(() -> true).partitions()).isEqualTo(1);
            assertThat(runs(partitions(s3, pipeline.bucket, pipeline.table).get(day))).as(day + " compacted again").hasSize(1);
            assertThat(lake.query(EVENTS)).isEqualTo(withLateChange);
            awaitLakeEqualsTable(lake, name);
            assertEqualToContract(statistics(s3, pipeline, lake), contractRows(SharedServers.postgres(), name, MARCH, "UTC"));
        }
    }

    @Test
    void aSwapCutShortAtAnyStepLosesNothingAndTheNextRunFinishesOrUndoesIt() throws Exception {
        String name = "trip_compact_cut";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            changeRounds(name, 0, 5, 200);
            awaitLakeEqualsTable(lake, name);
            List<List<String>> events = lake.query(EVENTS);
            String raw = "raw/" + pipeline.table + "/year=2024/month=03/";
            String manifests = "compaction/" + pipeline.table + "/year=2024/month=03/";
            // one step of one day's swap each run, in the order a swap takes them
            List<Predicate<SdkRequest>> deaths = List.of(
                    nth(1, request -> request instanceof PutObjectRequest put && put.key().startsWith(raw + "day=01/compacted-")),
                    nth(2, request -> request instanceof PutObjectRequest put && put.key().startsWith(raw + "day=02/compacted-")),
                    nth(2, request -> request instanceof PutObjectRequest put && put.key().startsWith(manifests + "day=03/")),
                    nth(1, request -> request instanceof DeleteObjectsRequest delete
                            && keys(delete).anyMatch(key -> key.startsWith(raw + "day=04/"))),
                    nth(1, request -> request instanceof DeleteObjectsRequest delete
                            && keys(delete).anyMatch(key -> key.startsWith(manifests + "day=05/"))));
            Thread.sleep(1_100);
            for (Predicate<SdkRequest> death : deaths) {
                try (S3Client dying = SharedServers.s3(new DiesAt(death))) {
                    assertThatThrownBy(() -> compaction(dying, pipeline).run(() -> true)).hasMessage("the process died here");
                }
                assertThat(new HashSet<>(lake.query(EVENTS))).as("no change lost").isEqualTo(new HashSet<>(events));
                awaitLakeEqualsTable(lake, name);
            }
            try (S3Client s3 = SharedServers.s3()) {
                LakeCompaction.Summary last = compaction(s3, pipeline).run(() -> true);
                assertThat(last.swapsFinished()).as("swaps finished, the one cut short while its manifest was deleted among them")
                        .isGreaterThanOrEqualTo(1);
                assertThat(lake.objects("compaction/")).as("manifests").isEmpty();
                for (Map.Entry<String, List<S3Object>> partition : partitions(s3, pipeline.bucket, pipeline.table).entrySet()) {
                    if (partition.getKey().startsWith(raw)) {
                        assertThat(runs(partition.getValue())).as(partition.getKey()).hasSize(1);
                    }
                }
            }
            assertThat(lake.query(EVENTS)).as("every change, once").isEqualTo(events);
            awaitLakeEqualsTable(lake, name);

            // the lake writer writes a file again (a batch it never committed, replayed) while its swap waits out the grace
            execute("UPDATE public." + name + " SET distance_km = 42 WHERE trip_id = 5");
            awaitLakeEqualsTable(lake, name);
            String day = raw + "day=01/";
            try (S3Client s3 = SharedServers.s3()) {
                S3Object late = partitions(s3, pipeline.bucket, pipeline.table).get(day).stream()
                        .filter(file -> !file.key().contains("compacted-")).findFirst().orElseThrow();
                byte[] replayed = s3.getObjectAsBytes(r -> r.bucket(pipeline.bucket).key(partitionFile(s3, pipeline, "day=02/")))
                        .asByteArray();
                Thread.sleep(1_100);
                java.util.concurrent.CompletableFuture<LakeCompaction.Summary> compacting = java.util.concurrent.CompletableFuture
                        .supplyAsync(
                                () -> new LakeCompaction(s3, pipeline.bucket, List.of(pipeline.table), table -> List.of("trip_id"),
                                        Duration.ofSeconds(1),
                                        8 << 10, Duration.ofSeconds(3), 1 << 20, java.time.Clock.systemUTC()).run(() -> true));
                await().atMost(Duration.ofSeconds(30)).until(() -> storedSwaps(lake, manifests + "day=01/") > 0);
                s3.putObject(r -> r.bucket(pipeline.bucket).key(late.key()),
                        software.amazon.awssdk.core.sync.RequestBody.fromBytes(replayed));
                compacting.get();
                assertThat(lake.keys()).as("the file written again stays").contains(late.key());

                // a swap's compacted files deleted before its grace ended (another instance undoing it): the replaced files stay
                execute("UPDATE public." + name + " SET distance_km = 43 WHERE trip_id = 6");
                awaitLakeEqualsTable(lake, name);
                List<List<String>> beforeSwap = lake.query(EVENTS);
                List<String> filesBeforeSwap = lake.keys();
                Thread.sleep(1_100);
                compacting = java.util.concurrent.CompletableFuture.supplyAsync(() -> new LakeCompaction(s3, pipeline.bucket,
                        List.of(pipeline.table), table -> List.of("trip_id"), Duration.ofSeconds(1), 8 << 10, Duration.ofSeconds(3),
                        1 << 20,
                        java.time.Clock.systemUTC()).run(() -> true));
                await().atMost(Duration.ofSeconds(30)).until(() -> storedSwaps(lake, manifests + "day=02/") > 0);
                String compactedDay = raw + "day=02/";
                List<String> compactedFiles = lake.keys().stream()
                        .filter(key -> key.startsWith(compactedDay + "compacted-") && !filesBeforeSwap.contains(key)).toList();
                assertThat(compactedFiles).as("the swap's compacted files").isNotEmpty();
                compactedFiles.forEach(key -> s3.deleteObject(r -> r.bucket(pipeline.bucket).key(key)));
                compacting.get();
                assertThat(new HashSet<>(lake.query(EVENTS))).as("no change lost").containsAll(beforeSwap);
            }
            awaitLakeEqualsTable(lake, name);
        }
    }

    /** The first file of a day partition. */
    private static String partitionFile(S3Client s3, RunningPipeline pipeline, String day) {
        return partitions(s3, pipeline.bucket, pipeline.table).entrySet().stream().filter(partition -> partition.getKey().endsWith(day))
                .findFirst().orElseThrow().getValue().get(0).key();
    }

    @Test
    void theLeaderCompactsOnItsOwnAndAKillDuringTheSwapLosesNothing() throws Exception {
        String name = "trip_compact_kill";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.lake.compact-after", "1s")
                .with("pipeline.lake.compact-interval", "2s")) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            // a long grace: the swaps wait with their files stored and the replaced ones not yet deleted
            try (AppProcess app = AppProcess.start(pipeline.with("pipeline.lake.compact-grace", "60s"))) {
                pipeline.awaitStreaming();
                changeRounds(name, 0, 4, 200);
                awaitLakeEqualsTable(lake, name);
                await().alias("a swap stored, its replaced files waiting").atMost(Duration.ofSeconds(60))
                        .until(() -> storedSwaps(lake) > 0);
                app.kill();
            }
            Set<List<String>> changes = changeRecords(pipeline);
            assertThat(new HashSet<>(lake.query(RECORDS))).as("every change of the topic in the lake after the kill").isEqualTo(changes);
            awaitLakeEqualsTable(lake, name);

            try (AppProcess app = AppProcess.start(pipeline.with("pipeline.lake.compact-grace", "1s"))) {
                await().alias("every swap finished and every day compacted").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> lake.objects("compaction/").isEmpty()
                                && partitions(SharedServers.s3(), pipeline.bucket, pipeline.table)
                                        .values().stream().allMatch(files -> runs(files).size() == 1));
                assertThat(app.output()).contains("Lake compaction: ");
                assertThat(pipeline.get("/observe/metrics").body()).containsPattern("(?m)^pipeline_lake_compactions_total [1-9]")
                        .containsPattern("(?m)^pipeline_lake_files_compacted_total [1-9]");
                assertThat(new HashSet<>(lake.query(RECORDS))).as("every change of the topic in the lake").isEqualTo(changes);
                awaitLakeEqualsTable(lake, name);
                app.stop(Duration.ofSeconds(60));
            }
        }
    }

    private static final String RECORDS = "SELECT DISTINCT __kafka_partition::VARCHAR, __kafka_offset::VARCHAR FROM {events}";

    /** The change topic's records that carry a change (tombstones do not), by partition and offset. */
    private static Set<List<String>> changeRecords(RunningPipeline pipeline) {
        Set<List<String>> records = new HashSet<>();
        for (var record : Topics.read(pipeline.changeTopic(), (int) Topics.endOffset(pipeline.changeTopic()))) {
            if (record.value() != null) {
                records.add(List.of(String.valueOf(record.partition()), String.valueOf(record.offset())));
            }
        }
        return records;
    }

    /** Swaps whose compacted files are all stored and whose replaced files are not deleted yet. */
    private static long storedSwaps(Lake lake) {
        return storedSwaps(lake, "compaction/");
    }

    private static long storedSwaps(Lake lake, String prefix) {
        return lake.objects(prefix).stream().filter(key -> {
            try {
                return lake.text(key).contains("\"storedAt\":\"");
            } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException finishedMeanwhile) {
                return false;
            }
        }).count();
    }

    private static LakeCompaction compaction(S3Client s3, RunningPipeline pipeline) {
        return new LakeCompaction(s3, pipeline.bucket, List.of(pipeline.table), table -> List.of("trip_id"), Duration.ofSeconds(1),
                8 << 10, Duration.ZERO, 1 << 20, java.time.Clock.systemUTC());
    }

    /**
     * Trips starting on five days of March 2024; each round inserts {@code trips}, finishes half of the
     * round before's and deletes one, then waits for the lake writer's flush, so each day gets a file per round.
     */
    static void changeRounds(String name, int from, int to, int trips) throws Exception {
        for (int round = from; round < to; round++) {
            int first = round * trips + 1;
            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at, distance_km) SELECT id, 'v-' || id % 7, "
                    + "timestamptz '2024-03-01 00:00+00' + (id % 5) * interval '1 day' + (id % 600) * interval '1 minute', id * 0.5 "
                    + "FROM generate_series(" + first + ", " + (first + trips - 1) + ") id");
            if (round > 0) {
                execute("UPDATE public." + name + " SET ended_at = started_at + interval '20 minutes', distance_km = distance_km + 1 "
                        + "WHERE trip_id BETWEEN " + (first - trips) + " AND " + (first - 1) + " AND trip_id % 2 = 0");
            }
            execute("DELETE FROM public." + name + " WHERE trip_id = " + (first + 2));
            Thread.sleep(1_300);
        }
    }

    private static List<List<Object>> statistics(S3Client s3, RunningPipeline pipeline, Lake lake) throws Exception {
        new StatisticsJob(s3, pipeline.bucket, pipeline.table, new LakeTrips(COLUMNS, ZoneOffset.UTC, null))
                .run(YearMonth.parse(MARCH), true, StatisticsJob.Reason.ON_DEMAND);
        return StatisticsFromLakeTest.readResult(lake, MARCH);
    }

    static Map<String, List<S3Object>> partitions(S3Client s3, String bucket, String table) {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/" + table + "/")).contents().stream()
                .filter(object -> object.key().endsWith(".parquet"))
                .collect(Collectors.groupingBy(object -> object.key().substring(0, object.key().lastIndexOf('/') + 1), TreeMap::new,
                        Collectors.toList()));
    }

    private static List<String> names(List<S3Object> files) {
        return files.stream().map(S3Object::key).sorted().toList();
    }

    /** The compaction runs whose files a partition holds; a file of the lake writer counts as a run of its own. */
    static Set<String> runs(List<S3Object> files) {
        Set<String> runs = new HashSet<>();
        for (S3Object file : files) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            runs.add(name.startsWith("compacted-") ? name.substring(0, name.lastIndexOf('-')) : name);
        }
        return runs;
    }

    /** The partition's files read one after another in name order, as DuckDB reads each: by trip_id, then __lsn. */
    private static void assertSortedByKeyThenLsn(Lake lake, List<S3Object> files) throws Exception {
        List<long[]> order = new ArrayList<>();
        for (String key : names(files)) {
            Path file = lake.download(key);
            try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duckdb.createStatement()) {
                statement.execute("SET threads = 1");
                for (List<String> row : Lake.rows(statement.executeQuery("SELECT trip_id, __lsn FROM read_parquet('" + file + "')"))) {
                    order.add(new long[] {Long.parseLong(row.get(0)), Long.parseLong(row.get(1))});
                }
            }
        }
        assertThat(order).hasSizeGreaterThan(1);
        assertThat(order).isSortedAccordingTo(Comparator.<long[]>comparingLong(row -> row[0]).thenComparingLong(row -> row[1]));
    }

    private static List<List<String>> columnTypes(Path file) throws Exception {
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duckdb.createStatement()) {
            return Lake.rows(statement.executeQuery("SELECT name, type, converted_type, logical_type, scale, precision "
                    + "FROM parquet_schema('" + file + "') ORDER BY name"));
        }
    }

    private static java.util.stream.Stream<String> keys(DeleteObjectsRequest delete) {
        return delete.delete().objects().stream().map(ObjectIdentifier::key);
    }

    /** True for the {@code n}th request that {@code matches}, once. */
    private static Predicate<SdkRequest> nth(int n, Predicate<SdkRequest> matches) {
        AtomicInteger seen = new AtomicInteger();
        return request -> matches.test(request) && seen.incrementAndGet() == n;
    }

    /** Ends the run at one request, before it reaches S3, as a process killed right there would. */
    private record DiesAt(Predicate<SdkRequest> death) implements ExecutionInterceptor {
        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (death.test(context.request())) {
                throw new IllegalStateException("the process died here");
            }
        }
    }
}
