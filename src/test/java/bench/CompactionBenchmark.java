package bench;

import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;
import pipeline.compaction.LakeCompaction;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedS3;
import pipeline.lake.ChangeEvent;
import pipeline.lake.LakeFileReads;
import pipeline.lake.LakeFormat;
import pipeline.lake.LakeLayout;
import pipeline.lake.ParquetBytes;
import pipeline.lake.RowMapping;
import pipeline.stats.LakeTrips;
import pipeline.stats.MonthlyStatistics;
import pipeline.stats.TripColumns;
import pipeline.stats.VehicleMonth;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A month of trips written to S3 (S3Proxy on local disk) as the lake writer writes it, one file per
 * day partition per batch, in two buckets; one is compacted. The monthly statistics are then read
 * from each in alternating turns: files, bytes, seconds and the S3 requests the reading made.
 */
public final class CompactionBenchmark {

    private static final String TABLE = "public.trip";
    private static final YearMonth MONTH = YearMonth.of(2024, 3);
    private static final TripColumns COLUMNS = new TripColumns("trip_id", "vehicle_id", "started_at", "ended_at", "distance_km");

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(args[0]);
        int batch = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        Path data = Files.createTempDirectory("compaction-bench");
        RequestCounts requests = new RequestCounts();
        try (EmbeddedS3 server = EmbeddedS3.start(data, DevServers.freePort(), "bench", "bench-secret");
                S3Client s3 = client(server.endpoint(), requests)) {
            s3.createBucket(r -> r.bucket("raw-lake"));
            s3.createBucket(r -> r.bucket("compacted-lake"));
            long started = System.nanoTime();
            int files = writeLake(s3, events, batch, 20_000);
            System.out.printf("Lake: %,d change events of %s in batches of %,d written as %,d objects in each bucket (%.0f s)%n",
                    eventsWritten, MONTH, batch, files, (System.nanoTime() - started) / 1e9);

            Listing rawMonth = listing(s3, "raw-lake");
            started = System.nanoTime();
            LakeCompaction.Summary compacted = new LakeCompaction(s3, "compacted-lake", List.of(TABLE), table -> List.of("trip_id"),
                    Duration.ofMillis(1), 256L << 20, Duration.ZERO, Runtime.getRuntime().maxMemory() / 8, Clock.systemUTC())
                    .run(() -> true);
            double compactionSeconds = (System.nanoTime() - started) / 1e9;
            Listing compactedMonth = listing(s3, "compacted-lake");
            System.out.printf("Compaction: %s%n", compacted);
            System.out.printf("The month's partitions: %,d objects (%,d bytes) before, %,d objects (%,d bytes) after: %.1fx fewer objects; "
                    + "compaction took %.1f s%n", rawMonth.objects, rawMonth.bytes, compactedMonth.objects, compactedMonth.bytes,
                    (double) rawMonth.objects / compactedMonth.objects, compactionSeconds);

            double[] rawSeconds = new double[rounds];
            double[] compactedSeconds = new double[rounds];
            List<VehicleMonth> rawResult = null;
            List<VehicleMonth> compactedResult = null;
            for (int round = 0; round < rounds; round++) {
                // alternating turns, the uncompacted lake first in even rounds
                for (String bucket : round % 2 == 0 ? List.of("raw-lake", "compacted-lake") : List.of("compacted-lake", "raw-lake")) {
                    System.gc();
                    requests.reset();
                    long start = System.nanoTime();
                    List<VehicleMonth> result = statistics(s3, bucket);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf(
                            "round %d, %-14s: statistics in %.2f s, %,d events read, %,d GET and %,d LIST requests, %,d vehicles%n",
                            round + 1, bucket, seconds, eventsRead, requests.gets.get(), requests.lists.get(), result.size());
                    if (bucket.equals("raw-lake")) {
                        rawSeconds[round] = seconds;
                        rawResult = result;
                    } else {
                        compactedSeconds[round] = seconds;
                        compactedResult = result;
                    }
                }
            }
            double rawMedian = median(rawSeconds);
            double compactedMedian = median(compactedSeconds);
            System.out.printf("Statistics of %s, medians of %d alternating rounds: uncompacted %.2f s, compacted %.2f s, "
                    + "ratio compacted/uncompacted %.2f; results %s%n", MONTH, rounds, rawMedian, compactedMedian,
                    compactedMedian / rawMedian, StatisticsBenchmark.equal(rawResult, compactedResult) ? "equal" : "DIFFERENT");
        } finally {
            try (var paths = Files.walk(data)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** What the statistics job reads: the table's listing, then every listed file. */
    private static long eventsRead;
    private static long eventsWritten;

    private static List<VehicleMonth> statistics(S3Client s3, String bucket) {
        List<String> files = LakeFileReads.rawFiles(s3, bucket, TABLE).stream().map(S3Object::key).toList();
        MonthlyStatistics statistics = new MonthlyStatistics(MONTH);
        eventsRead = new LakeTrips(COLUMNS, ZoneOffset.UTC, null).read(MONTH, files, () -> new LakeFileReads(s3, bucket, files)::read,
                statistics).events();
        return statistics.result();
    }

    private record Listing(int objects, long bytes) {
    }

    private static Listing listing(S3Client s3, String bucket) {
        List<S3Object> objects = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/" + TABLE + "/year=2024/month=03/")).contents()
                .stream().filter(object -> object.key().endsWith(".parquet")).toList();
        return new Listing(objects.size(), objects.stream().mapToLong(S3Object::size).sum());
    }

    /**
     * Trips of 20,000 vehicles starting evenly over the month, each inserted at its start and finished
     * 5 to 60 minutes later, one in twenty deleted a day after; the events in commit order, cut into
     * batches of {@code batch} events, each written as one file per day partition it touches, as the
     * lake writer does. Both buckets get the same files.
     */
    private static int writeLake(S3Client s3, int events, int batch, int vehicles) throws Exception {
        RowMapping mapping = RowMapping.of(TABLE, StatisticsBenchmark.ROW);
        LakeLayout layout = new LakeLayout(ZoneOffset.UTC, TABLE, "started_at");
        Random random = new Random(1);
        long monthStart = MONTH.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        long monthSeconds = MONTH.lengthOfMonth() * 86_400L;
        // a trip is an insert, an update and, one time in twenty, a delete: 2.05 events
        int trips = (int) (events * 20L / 41);
        PriorityQueue<long[]> pending = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        int[] vehicle = new int[trips];
        long[] start = new long[trips];
        List<ChangeEvent> changes = new ArrayList<>(batch);
        Map<LocalDate, List<ChangeEvent>> byDay = new HashMap<>();
        long offset = 0;
        int files = 0;
        int nextTrip = 0;
        while (offset < events && (nextTrip < trips || !pending.isEmpty())) {
            long nextStart = nextTrip < trips ? monthStart + monthSeconds * nextTrip / trips : Long.MAX_VALUE;
            ChangeEvent change;
            if (pending.isEmpty() || nextStart <= pending.peek()[0]) {
                int id = nextTrip++;
                vehicle[id] = random.nextInt(vehicles);
                start[id] = nextStart;
                pending.add(new long[] {nextStart + 300 + random.nextInt(3300), id, 0});
                change = new ChangeEvent(TABLE, "c", mapping, StatisticsBenchmark.trip(id, vehicle[id], start[id], null, null),
                        nextStart * 1000, offset + 1_000_000, offset);
            } else {
                long[] due = pending.poll();
                int id = (int) due[1];
                boolean delete = due[2] == 1;
                if (!delete && random.nextInt(20) == 0) {
                    pending.add(new long[] {due[0] + 86_400, id, 1});
                }
                change = new ChangeEvent(TABLE, delete ? "d" : "u", mapping, StatisticsBenchmark.trip(id, vehicle[id], start[id],
                        delete ? null : due[0], delete ? null : BigDecimal.valueOf(random.nextInt(60_000), 3)), due[0] * 1000,
                        offset + 1_000_000, offset);
            }
            changes.add(change);
            offset++;
            if (changes.size() == batch || offset == events) {
                long first = offset - changes.size();
                for (int i = 0; i < changes.size(); i++) {
                    ChangeEvent event = changes.get(i);
                    byDay.computeIfAbsent(layout.partitionDate(event), day -> new ArrayList<>()).add(event);
                }
                long fileOffset = first;
                for (Map.Entry<LocalDate, List<ChangeEvent>> day : byDay.entrySet()) {
                    ParquetBytes bytes = new ParquetBytes();
                    try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(bytes, mapping.avroSchema())) {
                        for (ChangeEvent event : day.getValue()) {
                            writer.write(mapping.toRecord(event, 0, event.txId()));
                        }
                    }
                    String key = LakeLayout.objectKey(TABLE, day.getKey(), "cdc.public.trip", 0, fileOffset++);
                    byte[] content = bytes.toByteArray();
                    for (String bucket : List.of("raw-lake", "compacted-lake")) {
                        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(content));
                    }
                    files++;
                }
                changes.clear();
                byDay.clear();
            }
        }
        eventsWritten = offset;
        return files;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static S3Client client(String endpoint, RequestCounts requests) {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench-secret")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(requests))
                .build();
    }

    /** The S3 requests a reader makes, counted as the client sends them. */
    private static final class RequestCounts implements ExecutionInterceptor {
        final AtomicLong gets = new AtomicLong();
        final AtomicLong lists = new AtomicLong();

        void reset() {
            gets.set(0);
            lists.set(0);
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (context.request() instanceof GetObjectRequest) {
                gets.incrementAndGet();
            } else if (context.request() instanceof ListObjectsV2Request) {
                lists.incrementAndGet();
            }
        }
    }
}
