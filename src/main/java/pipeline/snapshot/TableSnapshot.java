package pipeline.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import pipeline.lake.InMemoryInputFile;
import pipeline.lake.LakeFileReads;
import pipeline.lake.LakeFormat;
import pipeline.lake.ParquetBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A table as it was at a commit instant, rebuilt from its raw lake files (contract section 8): for
 * every key the latest version (by {@code __lsn}, then {@code __kafka_offset}) among the changes
 * committed at or before the instant, deleted keys left out, written as Parquet files of the table's
 * own columns under {@code snapshots/{table}/as_of=.../} with a {@code _SUCCESS} manifest last.
 * Memory stays bounded: when the lake is larger than the budget, each pass keeps the keys of one
 * hash slice only and writes them as a file of its own.
 */
public final class TableSnapshot {

    private static final DateTimeFormatter AS_OF = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What one snapshot wrote. */
    public record Summary(String table, Instant asOf, long rows, int files, int lakeFiles, long events, int passes, double seconds,
            String location) {
        @Override
        public String toString() {
            return String.format("snapshot of %s as of %s: %,d rows in %d files from %,d events in %,d lake files, %d pass%s, %.1f s, %s",
                    table, asOf, rows, files, events, lakeFiles, passes, passes == 1 ? "" : "es", seconds, location);
        }
    }

    private final S3Client s3;
    private final String bucket;
    private final long budgetBytes;

    public TableSnapshot(S3Client s3, String bucket, long budgetBytes) {
        this.s3 = s3;
        this.bucket = bucket;
        this.budgetBytes = budgetBytes;
    }

    /** The prefix of a snapshot's objects. */
    public static String prefix(String table, Instant asOf) {
        return "snapshots/" + table + "/as_of=" + AS_OF.format(asOf) + "/";
    }

    /** Writes {@code table} ({@code schema.table}) as of {@code asOf}, keyed by {@code keyColumns}; a snapshot written before is replaced. */
    public Summary write(String table, List<String> keyColumns, Instant asOf) {
        long started = System.nanoTime();
        List<S3Object> files = LakeFileReads.rawFiles(s3, bucket, table);
        long storedBytes = files.stream().mapToLong(S3Object::size).sum();
        int passes = (int) Math.max(1, Math.min(1024, (storedBytes * LakeFormat.IN_MEMORY_EXPANSION + budgetBytes - 1) / budgetBytes));
        String prefix = prefix(table, asOf);
        deleteObjects(prefix);

        // the table's columns as of the instant: those of the file holding the last change committed by then
        NewestSchema columns = new NewestSchema();
        long events = 0;
        long rows = 0;
        int written = 0;
        for (int pass = 0; pass < passes; pass++) {
            Map<List<Object>, Version> latest = new HashMap<>();
            // compaction may swap files while they are read: a vanished file is read from what replaced it
            LakeFileReads reads = new LakeFileReads(s3, bucket, files.stream().map(S3Object::key).toList());
            for (S3Object file : files) {
                for (byte[] content : reads.read(file.key())) {
                    // the first pass sees every file's columns, so every slice is written with the same schema
                    long read = read(file.key(), content, keyColumns, asOf.toEpochMilli(), pass, passes, latest,
                            pass == 0 ? columns : null);
                    events += pass == 0 ? read : 0;
                }
            }
            Schema schema = outputSchema(table, columns.schema);
            List<Version> present = latest.values().stream().filter(version -> !version.deleted())
                    .sorted(Comparator.comparing(Version::key, TableSnapshot::compareKeys)).toList();
            if (!present.isEmpty() || (pass == passes - 1 && written == 0 && columns.schema != null)) {
                upload(prefix + String.format("part-%05d.parquet", pass), parquet(schema, present));
                written++;
                rows += present.size();
            }
            latest.clear();
        }
        String manifest = String.format("{\"table\":\"%s\",\"as_of\":\"%s\",\"rows\":%d,\"files\":%d,\"lake_files\":%d,\"events\":%d,"
                + "\"computed_at\":\"%s\"}", table, asOf, rows, written, files.size(), events, Instant.now());
        upload(prefix + "_SUCCESS", manifest.getBytes(StandardCharsets.UTF_8));
        return new Summary(table, asOf, rows, written, files.size(), events, passes, (System.nanoTime() - started) / 1e9,
                "s3://" + bucket + "/" + prefix);
    }

    /** One version of a key: the lake row and where it stands among the key's changes. */
    private record Version(List<Object> key, long lsn, long offset, boolean deleted, GenericRecord row) {
        boolean isAfter(Version other) {
            return lsn != other.lsn ? lsn > other.lsn : offset > other.offset;
        }
    }

    /** The schema of the file whose change, committed at or before the instant, is the latest seen so far. */
    private static final class NewestSchema {
        private Schema schema;
        private long committedMillis = Long.MIN_VALUE;

        void offer(Schema candidate, long committed) {
            if (candidate != null && committed > committedMillis) {
                schema = candidate;
                committedMillis = committed;
            }
        }
    }

    private long read(String key, byte[] content, List<String> keyColumns, long asOfMillis, int pass, int passes,
            Map<List<Object>, Version> latest, NewestSchema columns) {
        long events = 0;
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new InMemoryInputFile(content),
                new PlainParquetConfiguration()).withDataModel(GenericData.get()).build()) {
            long newest = Long.MIN_VALUE;
            Schema fileSchema = null;
            for (GenericRecord row = reader.read(); row != null; row = reader.read()) {
                events++;
                fileSchema = row.getSchema();
                long committed = (Long) row.get(LakeFormat.SOURCE_TS_MS);
                if (committed > asOfMillis) {
                    continue;
                }
                newest = Math.max(newest, committed);
                List<Object> rowKey = new ArrayList<>(keyColumns.size());
                for (String column : keyColumns) {
                    rowKey.add(keyValue(row.get(column)));
                }
                if (passes > 1 && Math.floorMod(rowKey.hashCode(), passes) != pass) {
                    continue;
                }
                Object lsn = row.get(LakeFormat.LSN);
                Version version = new Version(rowKey, lsn == null ? Long.MIN_VALUE : (Long) lsn, (Long) row.get(LakeFormat.KAFKA_OFFSET),
                        (Boolean) row.get(LakeFormat.DELETED), row);
                latest.merge(rowKey, version, (kept, candidate) -> candidate.isAfter(kept) ? candidate : kept);
            }
            if (columns != null) {
                columns.offer(fileSchema, newest);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable lake file " + key + ": " + e.getMessage(), e);
        }
        return events;
    }

    /** Key values compared and hashed alike whatever file they come from: text as String, integers widened to long. */
    private static Object keyValue(Object value) {
        if (value instanceof Utf8 || value instanceof CharSequence) {
            return value.toString();
        }
        if (value instanceof Integer number) {
            return number.longValue();
        }
        if (value instanceof ByteBuffer bytes) {
            return new BigInteger(1, bytes.array()).toString(16);
        }
        return value;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compareKeys(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x == null || y == null) {
                if (x != y) {
                    return x == null ? -1 : 1;
                }
                continue;
            }
            int order = x instanceof Comparable && x.getClass() == y.getClass()
                    ? ((Comparable) x).compareTo(y)
                    : x.toString().compareTo(y.toString());
            if (order != 0) {
                return order;
            }
        }
        return 0;
    }

    /** The table's own columns of the newest file, each nullable (a key deleted keeps only its key in the lake). */
    private static Schema outputSchema(String table, Schema newest) {
        List<Schema.Field> fields = new ArrayList<>();
        if (newest != null) {
            for (Schema.Field field : newest.getFields()) {
                if (!field.name().startsWith("__")) {
                    fields.add(new Schema.Field(field.name(), nullable(field.schema()), null, Schema.Field.NULL_DEFAULT_VALUE));
                }
            }
        }
        return Schema.createRecord(table.replace('.', '_') + "_snapshot", null, "trip_pipeline", false, fields);
    }

    private static Schema nullable(Schema schema) {
        if (schema.isNullable()) {
            return schema;
        }
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    private static byte[] parquet(Schema schema, List<Version> rows) {
        ParquetBytes output = new ParquetBytes();
        try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(output, schema)) {
            for (Version version : rows) {
                GenericRecord row = version.row();
                GenericData.Record out = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    Schema.Field source = row.getSchema().getField(field.name());
                    if (source != null) {
                        out.put(field.pos(), convert(row.get(source.pos()), source.schema(), field.schema()));
                    }
                }
                writer.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return output.toByteArray();
    }

    /** A value of an older file in the column's newest type: integers widened, decimals brought to the new scale. */
    private static Object convert(Object value, Schema from, Schema to) {
        if (value == null) {
            return null;
        }
        Schema source = nonNull(from);
        Schema target = nonNull(to);
        if (target.getType() == Schema.Type.LONG && value instanceof Integer number) {
            return number.longValue();
        }
        if (target.getType() == Schema.Type.DOUBLE && value instanceof Float number) {
            return number.doubleValue();
        }
        if (target.getLogicalType() instanceof LogicalTypes.Decimal newType
                && source.getLogicalType() instanceof LogicalTypes.Decimal oldType
                && newType.getScale() != oldType.getScale() && value instanceof ByteBuffer bytes) {
            byte[] unscaled = new byte[bytes.remaining()];
            bytes.duplicate().get(unscaled);
            BigDecimal decimal = new BigDecimal(new BigInteger(unscaled), oldType.getScale()).setScale(newType.getScale());
            return ByteBuffer.wrap(decimal.unscaledValue().toByteArray());
        }
        return value;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream().filter(type -> type.getType() != Schema.Type.NULL).findFirst().orElse(schema);
    }

    private void deleteObjects(String prefix) {
        for (S3Object old : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
            s3.deleteObject(r -> r.bucket(bucket).key(old.key()));
        }
    }

    private void upload(String key, byte[] content) {
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }
}
