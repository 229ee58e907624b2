package pipeline.compaction;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import pipeline.lake.LakeFormat;

/**
 * Rows of one schema sorted with bounded memory: rows are kept in the heap until the caller spills
 * them as a sorted run to a local Parquet file, and {@link #merged()} merges the runs and the rows
 * still held. Rows that compare equal in every sort column are copies of one Kafka record (the order
 * ends with partition and offset) and come out once.
 */
final class SortedRows implements Closeable {

    private final Schema schema;
    private final Comparator<GenericRecord> order;
    private final Path scratch;
    private final long rowGroupBytes;
    private final List<GenericRecord> held = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    private final List<ParquetReader<GenericRecord>> openRuns = new ArrayList<>();
    private long copiesDropped;

    SortedRows(Schema schema, Comparator<GenericRecord> order, Path scratch, long rowGroupBytes) {
        this.schema = schema;
        this.order = order;
        this.scratch = scratch;
        this.rowGroupBytes = rowGroupBytes;
    }

    Schema schema() {
        return schema;
    }

    void add(GenericRecord row) {
        held.add(row);
    }

    /** Writes the rows held, sorted, to a run file of their own and lets them go. */
    void spill() {
        if (held.isEmpty()) {
            return;
        }
        held.sort(order);
        Path run = scratch.resolve("run-" + System.identityHashCode(this) + "-" + runs.size() + ".parquet");
        try (ParquetWriter<GenericRecord> writer = LakeFormat.openWriter(new LocalOutputFile(run), schema, rowGroupBytes)) {
            for (GenericRecord row : held) {
                writer.write(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sorted run to " + run + ": " + e.getMessage(), e);
        }
        runs.add(run);
        held.clear();
    }

    /** Copies of one Kafka record left out by {@link #merged()} so far. */
    long copiesDropped() {
        return copiesDropped;
    }

    /** Every row added, in order, each Kafka record once. */
    Iterator<GenericRecord> merged() {
        held.sort(order);
        PriorityQueue<Source> heads = new PriorityQueue<>((a, b) -> order.compare(a.head, b.head));
        offer(heads, new Source(held.iterator()));
        for (Path run : runs) {
            offer(heads, new Source(runReader(run)));
        }
        return new Iterator<>() {
            private GenericRecord last;
            private GenericRecord next = advance();

            private GenericRecord advance() {
                while (!heads.isEmpty()) {
                    Source source = heads.poll();
                    GenericRecord row = source.head;
                    offer(heads, source);
                    if (last != null && order.compare(last, row) == 0) {
                        copiesDropped++;
                        continue;
                    }
                    last = row;
                    return row;
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public GenericRecord next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                GenericRecord row = next;
                next = advance();
                return row;
            }
        };
    }

    private Iterator<GenericRecord> runReader(Path run) {
        try {
            ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(run),
                    new PlainParquetConfiguration()).withDataModel(GenericData.get()).build();
            openRuns.add(reader);
            return new Iterator<>() {
                private GenericRecord next = read();

                private GenericRecord read() {
                    try {
                        return reader.read();
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read sorted run " + run + ": " + e.getMessage(), e);
                    }
                }

                @Override
                public boolean hasNext() {
                    return next != null;
                }

                @Override
                public GenericRecord next() {
                    GenericRecord row = next;
                    next = read();
                    return row;
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open sorted run " + run + ": " + e.getMessage(), e);
        }
    }

    private static void offer(PriorityQueue<Source> heads, Source source) {
        if (source.rows.hasNext()) {
            source.head = source.rows.next();
            heads.add(source);
        }
    }

    /** A sorted run with its current row. */
    private static final class Source {
        private final Iterator<GenericRecord> rows;
        private GenericRecord head;

        Source(Iterator<GenericRecord> rows) {
            this.rows = rows;
        }
    }

    @Override
    public void close() throws IOException {
        held.clear();
        for (ParquetReader<GenericRecord> reader : openRuns) {
            reader.close();
        }
        for (Path run : runs) {
            Files.deleteIfExists(run);
        }
    }
}
