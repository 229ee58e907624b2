package pipeline.compaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.lake.LakeFileReads;
import pipeline.lake.LakeFormat;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Rewrites the day partitions of the raw lake that stopped changing as a few large files (contract
 * section 8): a partition holding more than one file, whose newest file is older than
 * {@code compact-after}, becomes files of at most the target size, sorted by key then {@code __lsn},
 * one Kafka record once. Files of different columns (before and after a source schema change) are
 * compacted apart, so no value changes type.
 *
 * <p>The swap never loses a row and never hides one from a reader: the compacted files are stored
 * first, the files they replace stay a grace period beside them (a query that listed them still
 * reads them; a reader resolving versions sees copies of one change), then they are deleted. A
 * manifest under {@code compaction/} records each swap, so that the next run finishes one that was cut
 * short after its files were stored, or undoes one cut short before. Memory stays bounded: inputs are
 * downloaded to a scratch directory, and rows beyond the budget are spilled there as sorted runs.
 */
public final class LakeCompaction {

    private static final Logger LOG = LoggerFactory.getLogger(LakeCompaction.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final long MAX_ROW_GROUP_BYTES = 64L << 20;
    // the merge reads every spilled run at once, each a row group at a time: small ones keep many runs cheap
    private static final long SPILL_ROW_GROUP_BYTES = 1L << 20;

    /** The primary key columns of a captured table, the first sort columns of its compacted files. */
    @FunctionalInterface
    public interface KeyColumns {
        List<String> of(String table) throws Exception;
    }

    /** Told of each partition compacted. */
    @FunctionalInterface
    public interface Listener {
        void compacted(String table, int filesReplaced);
    }

    /** What one run did. */
    public record Summary(int partitions, int filesBefore, long bytesBefore, int filesAfter, long bytesAfter, long rows,
            long copiesDropped, int spills, int swapsFinished, int swapsUndone, double seconds) {
        @Override
        public String toString() {
            return String.format("%d day partitions compacted: %,d files (%,d bytes) into %,d (%,d bytes), %,d rows, "
                    + "%,d copies of one Kafka record dropped, %d spills to disk; %d swaps finished, %d undone; %.1f s",
                    partitions, filesBefore, bytesBefore, filesAfter, bytesAfter, rows, copiesDropped, spills, swapsFinished, swapsUndone,
                    seconds);
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final List<String> tables;
    private final KeyColumns keyColumns;
    private final Duration compactAfter;
    private final long targetSize;
    private final Duration grace;
    private final long memoryBudget;
    private final Clock clock;
    private Listener listener = (table, files) -> {};

    public LakeCompaction(S3Client s3, String bucket, List<String> tables, KeyColumns keyColumns, Duration compactAfter, long targetSize,
            Duration grace, long memoryBudget, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.tables = List.copyOf(tables);
        this.keyColumns = keyColumns;
        this.compactAfter = compactAfter;
        this.targetSize = targetSize;
        this.grace = grace;
        this.memoryBudget = memoryBudget;
        this.clock = clock;
    }

    public LakeCompaction withListener(Listener listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Finishes or undoes the swaps a former run left, compacts every eligible partition while
     * {@code carryOn} holds, and deletes the replaced files once their grace is over (waiting for it
     * unless {@code carryOn} turns false; the next run deletes what is left).
     */
    public synchronized Summary run(BooleanSupplier carryOn) {
        long started = System.nanoTime();
        Totals totals = new Totals();
        Path scratch = createScratch();
        try {
            List<CompactionManifest> pending = new ArrayList<>();
            for (String table : tables) {
                if (!carryOn.getAsBoolean()) {
                    break;
                }
                Set<String> swapping = new HashSet<>();
                for (CompactionManifest manifest : manifests(table)) {
                    if (manifest.storedInstant() == null) {
                        undo(manifest);
                        totals.swapsUndone++;
                    } else {
                        pending.add(manifest);
                        swapping.add(manifest.partition());
                    }
                }
                List<String> keys = null;
                for (Map.Entry<String, List<S3Object>> partition : partitions(table).entrySet()) {
                    if (!carryOn.getAsBoolean()) {
                        break;
                    }
                    if (swapping.contains(partition.getKey()) || !eligible(partition.getValue())) {
                        continue;
                    }
                    if (keys == null) {
                        keys = primaryKey(table);
                    }
                    CompactionManifest manifest = compact(table, partition.getKey(), partition.getValue(), keys, scratch, totals);
                    if (manifest != null) {
                        pending.add(manifest);
                    }
                    totals.swapsFinished += finishSwaps(pending, false, carryOn);
                }
            }
            totals.swapsFinished += finishSwaps(pending, true, carryOn);
        } finally {
            deleteScratch(scratch);
        }
        Summary summary = new Summary(totals.partitions, totals.filesBefore, totals.bytesBefore, totals.filesAfter, totals.bytesAfter,
                totals.rows, totals.copiesDropped, totals.spills, totals.swapsFinished, totals.swapsUndone,
                (System.nanoTime() - started) / 1e9);
        if (totals.partitions + totals.swapsFinished + totals.swapsUndone > 0) {
            LOG.info("Lake compaction: {}", summary);
        }
        return summary;
    }

    private static final class Totals {
        int partitions;
        int filesBefore;
        long bytesBefore;
        int filesAfter;
        long bytesAfter;
        long rows;
        long copiesDropped;
        int spills;
        int swapsFinished;
        int swapsUndone;
    }

    /** The table's raw files by day partition ({@code raw/{table}/year=…/month=…/day=…/}), in date order. */
    private Map<String, List<S3Object>> partitions(String table) {
        Map<String, List<S3Object>> partitions = new TreeMap<>();
        for (S3Object object : LakeFileReads.rawFiles(s3, bucket, table)) {
            String partition = object.key().substring(0, object.key().lastIndexOf('/') + 1);
            partitions.computeIfAbsent(partition, p -> new ArrayList<>()).add(object);
        }
        return partitions;
    }

    /** More than one file, the newest older than compact-after, and not already the files of one compaction. */
    private boolean eligible(List<S3Object> files) {
        if (files.size() < 2) {
            return false;
        }
        Instant newest = files.stream().map(S3Object::lastModified).max(Comparator.naturalOrder()).orElseThrow();
        if (newest.isAfter(clock.instant().minus(compactAfter))) {
            return false;
        }
        Set<String> runs = new HashSet<>();
        for (S3Object file : files) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            if (!name.startsWith(LakeFormat.COMPACTED_PREFIX)) {
                return true;
            }
            runs.add(name.substring(0, name.lastIndexOf('-')));
        }
        return runs.size() > 1;
    }

    private List<String> primaryKey(String table) {
        try {
            List<String> keys = keyColumns.of(table);
            if (keys.isEmpty()) {
                LOG.warn("Table {} has no primary key: its compacted files are sorted by __lsn only", table);
            }
            return keys;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the primary key of " + table + " from the source database: " + e.getMessage(), e);
        }
    }

    /** Compacts one partition and stores its files; null when a file vanished meanwhile (another swap), for a later run. */
    private CompactionManifest compact(String table, String partition, List<S3Object> files, List<String> keys, Path scratch,
            Totals totals) {
        String run = RUN_ID.format(clock.instant());
        Map<String, SortedRows> bySchema = new LinkedHashMap<>();
        List<Path> outputs = new ArrayList<>();
        try {
            if (!sortRows(partition, files, keys, scratch, bySchema, totals)) {
                return null;
            }
            long rows = writeCompacted(bySchema, run, scratch, outputs, totals);
            CompactionManifest stored = store(table, partition, run, files, outputs, totals);
            totals.partitions++;
            totals.filesBefore += files.size();
            totals.bytesBefore += files.stream().mapToLong(S3Object::size).sum();
            totals.filesAfter += outputs.size();
            totals.rows += rows;
            listener.compacted(table, files.size());
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact " + partition + ": " + e.getMessage(), e);
        } finally {
            for (SortedRows rows : bySchema.values()) {
                closeQuietly(rows);
            }
            outputs.forEach(LakeCompaction::deleteQuietly);
        }
    }

    /**
     * Downloads the partition's files one at a time into rows sorted per schema, spilling them all
     * when the rows held reach the memory budget; false when a file vanished meanwhile.
     */
    private boolean sortRows(String partition, List<S3Object> files, List<String> keys, Path scratch, Map<String, SortedRows> bySchema,
            Totals totals) throws IOException {
        long heldBytes = 0;
        Path input = scratch.resolve("input.parquet");
        for (S3Object file : files) {
            Files.deleteIfExists(input);
            if (!download(file.key(), input)) {
                LOG.info("Lake compaction: {} vanished while {} was compacted; the next run compacts the partition", file.key(), partition);
                return false;
            }
            LocalInputFile local = new LocalInputFile(input);
            long rowBytes;
            String schemaText;
            try (ParquetFileReader footer = ParquetFileReader.open(local)) {
                rowBytes = Math.max(1, file.size() * LakeFormat.IN_MEMORY_EXPANSION / Math.max(1, footer.getRecordCount()));
                schemaText = footer.getFileMetaData().getKeyValueMetaData().getOrDefault("parquet.avro.schema",
                        footer.getFileMetaData().getSchema().toString());
            }
            try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(local, new PlainParquetConfiguration())
                    .withDataModel(GenericData.get()).build()) {
                for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                    SortedRows rows = bySchema.get(schemaText);
                    if (rows == null) {
                        rows = new SortedRows(row.getSchema(), order(row.getSchema(), keys), scratch, SPILL_ROW_GROUP_BYTES);
                        bySchema.put(schemaText, rows);
                    }
                    rows.add(row);
                    heldBytes += rowBytes;
                    if (heldBytes > memoryBudget) {
                        bySchema.values().forEach(SortedRows::spill);
                        heldBytes = 0;
                        totals.spills++;
                    }
                }
            }
        }
        Files.deleteIfExists(input);
        return true;
    }

    /** Writes each schema's rows, merged in order, as local files of at most the target size; returns the rows written. */
    private long writeCompacted(Map<String, SortedRows> bySchema, String run, Path scratch, List<Path> outputs, Totals totals)
            throws IOException {
        long rowGroupBytes = Math.max(1L << 20, Math.min(MAX_ROW_GROUP_BYTES, Math.min(targetSize, memoryBudget / 8)));
        long written = 0;
        for (SortedRows rows : bySchema.values()) {
            Iterator<GenericRecord> sorted = rows.merged();
            while (sorted.hasNext()) {
                Path output = scratch.resolve(String.format("%s%s-%05d.parquet", LakeFormat.COMPACTED_PREFIX, run, outputs.size()));
                outputs.add(output);
                written += writeUpToTarget(output, rows.schema(), sorted, rowGroupBytes);
            }
            totals.copiesDropped += rows.copiesDropped();
        }
        return written;
    }

    /** The swap's steps 2 to 4: its manifest, the compacted files uploaded, the manifest marked stored. */
    private CompactionManifest store(String table, String partition, String run, List<S3Object> files, List<Path> outputs, Totals totals)
            throws IOException {
        List<String> compacted = outputs.stream().map(output -> partition + output.getFileName()).toList();
        CompactionManifest manifest = new CompactionManifest(table, partition, run, files.stream().map(S3Object::key).toList(),
                files.stream().map(S3Object::eTag).toList(), compacted, null);
        put(manifest.key(), manifest.json());
        for (Path output : outputs) {
            totals.bytesAfter += Files.size(output);
            s3.putObject(r -> r.bucket(bucket).key(partition + output.getFileName()), RequestBody.fromFile(output));
        }
        CompactionManifest stored = manifest.stored(clock.instant());
        put(stored.key(), stored.json());
        return stored;
    }

    /** Writes sorted rows to one file until it reaches the target size; returns how many. */
    private long writeUpToTarget(Path output, Schema schema, Iterator<GenericRecord> sorted, long rowGroupBytes) throws IOException {
        // the footer and the last page's compression come after the size is measured
        long limit = targetSize - Math.min(1L << 20, targetSize / 16);
        long rows = 0;
        try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(new LocalOutputFile(output), schema, rowGroupBytes)) {
            while (sorted.hasNext()) {
                writer.write(sorted.next());
                rows++;
                if (writer.getDataSize() >= limit) {
                    break;
                }
            }
        }
        return rows;
    }

    /** Key columns in the table's order, then __lsn, then the Kafka position that tells copies of one record apart from other changes. */
    static Comparator<GenericRecord> order(Schema schema, List<String> keys) {
        List<Schema.Field> fields = new ArrayList<>();
        for (String key : keys) {
            Schema.Field field = schema.getField(key);
            if (field != null) {
                fields.add(field);
            }
        }
        fields.add(schema.getField(LakeFormat.LSN));
        fields.add(schema.getField(LakeFormat.KAFKA_PARTITION));
        fields.add(schema.getField(LakeFormat.KAFKA_OFFSET));
        GenericData data = GenericData.get();
        return (a, b) -> {
            for (Schema.Field field : fields) {
                int order = data.compare(a.get(field.pos()), b.get(field.pos()), field.schema());
                if (order != 0) {
                    return order;
                }
            }
            return 0;
        };
    }

    /**
     * Deletes the files replaced by stored swaps whose grace is over, then their manifests; with
     * {@code waitForGrace}, waits for the rest while {@code carryOn} holds. Returns how many finished.
     */
    private int finishSwaps(List<CompactionManifest> pending, boolean waitForGrace, BooleanSupplier carryOn) {
        int finished = 0;
        for (Iterator<CompactionManifest> swaps = pending.iterator(); swaps.hasNext();) {
            CompactionManifest swap = swaps.next();
            Instant due = swap.storedInstant().plus(grace);
            while (waitForGrace && clock.instant().isBefore(due) && carryOn.getAsBoolean()) {
                sleep(Math.min(1_000, Duration.between(clock.instant(), due).toMillis() + 1));
            }
            if (clock.instant().isBefore(due)) {
                continue;
            }
            delete(deletable(swap));
            delete(List.of(swap.key()));
            swaps.remove();
            finished++;
        }
        return finished;
    }

    /**
     * The replaced files that may go: those still as compaction read them, and only while every
     * compacted file of the swap is there. A file written again since (the lake writer replaying a
     * batch it never committed, with the same name) may hold rows the compacted files lack; compacted
     * files gone (a stale leader's swap undone by the new one) no longer hold the rows. Either way the
     * replaced files stay, and the day is compacted again later.
     */
    private List<String> deletable(CompactionManifest swap) {
        Map<String, String> current = new HashMap<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(swap.partition())).contents()) {
            current.put(object.key(), object.eTag());
        }
        List<String> gone = swap.compacted().stream().filter(key -> !current.containsKey(key)).toList();
        if (!gone.isEmpty()) {
            LOG.warn("Lake compaction: {} of swap {} are gone; the files the swap replaced stay, and {} is compacted again later",
                    gone, swap.run(), swap.partition());
            return List.of();
        }
        List<String> unchanged = new ArrayList<>();
        for (int i = 0; i < swap.replaced().size(); i++) {
            String key = swap.replaced().get(i);
            String eTag = current.get(key);
            if (eTag == null) {
                continue;
            }
            if (eTag.equals(swap.replacedETags().get(i))) {
                unchanged.add(key);
            } else {
                LOG.warn("Lake compaction: {} was written again after it was compacted; it stays, and its day is compacted again later",
                        key);
            }
        }
        return unchanged;
    }

    /** A swap cut short before its compacted files were all stored: they go, the files they were to replace stay. */
    private void undo(CompactionManifest manifest) {
        LOG.info("Lake compaction: undoing the unfinished swap {} of {}", manifest.run(), manifest.partition());
        delete(manifest.compacted());
        delete(List.of(manifest.key()));
    }

    private List<CompactionManifest> manifests(String table) {
        List<CompactionManifest> manifests = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(CompactionManifest.prefix(table))).contents()) {
            if (object.key().endsWith(".json")) {
                manifests.add(CompactionManifest.parse(s3.getObjectAsBytes(r -> r.bucket(bucket).key(object.key())).asByteArray()));
            }
        }
        return manifests;
    }

    private boolean download(String key, Path target) {
        try {
            s3.getObject(r -> r.bucket(bucket).key(key), target);
            return true;
        } catch (S3Exception e) {
            // NoSuchKeyException, or a bare 404 from servers that answer without an error code
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private void put(String key, byte[] content) {
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    private void delete(List<String> keys) {
        for (int from = 0; from < keys.size(); from += 1000) {
            List<ObjectIdentifier> batch = keys.subList(from, Math.min(keys.size(), from + 1000)).stream()
                    .map(key -> ObjectIdentifier.builder().key(key).build()).toList();
            s3.deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to delete compacted files' originals", e);
        }
    }

    private static Path createScratch() {
        try {
            return Files.createTempDirectory("trip-pipeline-compaction-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory for compaction: " + e.getMessage(), e);
        }
    }

    private static void deleteScratch(Path scratch) {
        try (Stream<Path> files = Files.walk(scratch)) {
            files.sorted(Comparator.reverseOrder()).forEach(LakeCompaction::deleteQuietly);
        } catch (IOException e) {
            LOG.debug("Scratch directory {} left behind: {}", scratch, e.getMessage());
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.debug("Scratch file {} left behind: {}", path, e.getMessage());
        }
    }

    private static void closeQuietly(SortedRows rows) {
        try {
            rows.close();
        } catch (IOException e) {
            LOG.debug("Sorted runs left behind: {}", e.getMessage());
        }
    }
}
