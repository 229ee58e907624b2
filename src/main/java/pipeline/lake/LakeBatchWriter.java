package pipeline.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Gathers change records into a batch of Snappy Parquet files, one per table, Kafka partition and
 * day partition (and a new one where the table's schema changes inside the batch). Each record's
 * row goes into an open Parquet writer as it is added, so the batch holds compressed columns, not
 * the records. Only a record that is no change event the lake can store is rejected; any other
 * failure is the batch's, so it is retried whole instead of sending good records to the
 * dead-letter topic. Not thread-safe: one writer per consumer thread.
 */
public final class LakeBatchWriter {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LakeBatchWriter.class);

    private final ChangeEventDecoder decoder = new ChangeEventDecoder();
    private final LakeLayout layout;
    private final Clock clock;
    private final Map<FileSlot, OpenFile> open = new LinkedHashMap<>();
    private final List<LakeFile> finished = new ArrayList<>();
    private final List<RejectedChange> rejected = new ArrayList<>();
    private final Map<TopicPartition, long[]> offsets = new HashMap<>();
    private int records;
    private int tombstones;
    private long openedAtMillis;
    private long oldestCommitMillis = Long.MAX_VALUE;

    public LakeBatchWriter(LakeLayout layout, Clock clock) {
        this.layout = layout;
        this.clock = clock;
    }

    /** Adds a record to the batch: its row to the open file of its slot, or the record to the rejected ones. */
    public void add(KafkaChange change) {
        if (records == 0) {
            openedAtMillis = clock.millis();
        }
        records++;
        // first offset, last offset, records of the partition
        long[] partition = offsets.computeIfAbsent(new TopicPartition(change.topic(), change.partition()),
                p -> new long[] {change.offset(), 0, 0});
        partition[1] = change.offset();
        partition[2]++;
        ChangeEvent event;
        LocalDate day;
        try {
            event = decoder.decode(change.topic(), change.value());
            if (event == null) {
                tombstones++;
                return;
            }
            day = layout.partitionDate(event);
            oldestCommitMillis = Math.min(oldestCommitMillis, event.sourceTsMs());
        } catch (MalformedChangeEventException e) {
            rejected.add(new RejectedChange(change, e.getClass().getSimpleName() + ": " + e.getMessage()));
            return;
        }
        FileSlot slot = new FileSlot(event.table(), change.topic(), change.partition(), day);
        OpenFile file = open.get(slot);
        if (file != null && file.mapping != event.mapping()) {
            finished.add(file.finish());
            file = null;
        }
        if (file == null) {
            file = new OpenFile(slot, event.mapping(), change.offset());
            open.put(slot, file);
        }
        file.append(event.mapping().toRecord(event, change.partition(), change.offset()), change.offset());
    }

    /** Records added since the batch began, rejected ones and tombstones included. */
    public int size() {
        return records;
    }

    /**
     * When the open batch is due because its oldest change is {@code interval} old, counted from the
     * change's commit in the source, so the time it took to reach Kafka is not waited for twice. Never
     * later than {@code interval} after the batch opened (a source clock running ahead), nor sooner
     * than a fifth of it (changes that were already old when read, as in a catch-up, still make
     * files of some size).
     */
    public long dueAtMillis(Duration interval) {
        long byReceipt = openedAtMillis + interval.toMillis();
        if (oldestCommitMillis == Long.MAX_VALUE) {
            return byReceipt;
        }
        return Math.min(byReceipt, Math.max(oldestCommitMillis + interval.toMillis(), openedAtMillis + interval.toMillis() / 5));
    }

    /**
     * True when the batch already holds a change {@code interval} old and waits only for the fifth of
     * {@link #dueAtMillis} to gather a file of some size: when the stream goes quiet (the end of a
     * snapshot or of a backlog) nothing more comes to fill it, so it need not wait.
     */
    public boolean waitsOnlyToFill(Duration interval) {
        return oldestCommitMillis != Long.MAX_VALUE && oldestCommitMillis + interval.toMillis() <= clock.millis();
    }

    /**
     * Forgets what the batch holds of these partitions: they were taken away, and their new owner
     * reads their records again from the last commit.
     */
    public void discard(Collection<TopicPartition> partitions) {
        for (Iterator<OpenFile> files = open.values().iterator(); files.hasNext();) {
            OpenFile file = files.next();
            if (partitions.contains(new TopicPartition(file.slot.topic(), file.slot.partition()))) {
                file.closeQuietly();
                files.remove();
            }
        }
        finished.removeIf(file -> partitions.contains(new TopicPartition(file.topic(), file.partition())));
        rejected.removeIf(reject -> partitions.contains(new TopicPartition(reject.change().topic(), reject.change().partition())));
        offsets.keySet().removeAll(partitions);
        records = offsets.values().stream().mapToInt(partition -> (int) partition[2]).sum();
        if (records == 0) {
            tombstones = 0;
            oldestCommitMillis = Long.MAX_VALUE;
        }
    }

    /**
     * Drops the whole batch after a failure that is not a bad record's, and tells where each of its
     * partitions began, so its records can be read again.
     */
    public Map<TopicPartition, Long> abandon() {
        Map<TopicPartition, Long> firstOffsets = new HashMap<>();
        offsets.forEach((partition, range) -> firstOffsets.put(partition, range[0]));
        discard(List.copyOf(offsets.keySet()));
        return firstOffsets;
    }

    /** Closes the batch's files and begins a new batch. */
    public LakeBatch finish() {
        for (OpenFile file : open.values()) {
            finished.add(file.finish());
        }
        Map<TopicPartition, LakeBatch.Offsets> covered = new HashMap<>();
        offsets.forEach((partition, range) -> covered.put(partition, new LakeBatch.Offsets(range[0], range[1])));
        LakeBatch batch = new LakeBatch(List.copyOf(finished), List.copyOf(rejected), tombstones, Map.copyOf(covered));
        open.clear();
        finished.clear();
        rejected.clear();
        offsets.clear();
        records = 0;
        tombstones = 0;
        oldestCommitMillis = Long.MAX_VALUE;
        return batch;
    }

    private record FileSlot(String table, String topic, int partition, LocalDate day) {
    }

    private static final class OpenFile {
        private final FileSlot slot;
        private final RowMapping mapping;
        private final long firstOffset;
        private final ParquetBytes output = new ParquetBytes();
        private final ParquetWriter<GenericRecord> writer;
        private long lastOffset;
        private int rows;

        OpenFile(FileSlot slot, RowMapping mapping, long firstOffset) {
            this.slot = slot;
            this.mapping = mapping;
            this.firstOffset = firstOffset;
            this.writer = LakeFormat.openWriter(output, mapping.avroSchema());
        }

        void append(GenericRecord record, long offset) {
            try {
                writer.write(record);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lastOffset = offset;
            rows++;
        }

        LakeFile finish() {
            close();
            String key = LakeLayout.objectKey(slot.table(), slot.day(), slot.topic(), slot.partition(), firstOffset);
            return new LakeFile(key, output.toByteArray(), slot.table(), slot.topic(), slot.partition(), firstOffset, lastOffset, rows);
        }

        private void close() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Its rows are dropped anyway: a failure to close changes nothing. */
        void closeQuietly() {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("Dropped Parquet writer did not close: {}", e.toString());
            }
        }
    }
}
