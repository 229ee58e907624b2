package pipeline.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Turns a batch of change records into Snappy Parquet files, one per table, Kafka partition and
 * day partition (and a new one where the table's schema changes inside the batch). Rows are
 * written into open Parquet writers as they are decoded, so only the compressed files are held.
 * Only a record that is no change event the lake can store is rejected; any other failure is the
 * batch's, so it is retried whole instead of sending good records to the dead-letter topic.
 */
public final class LakeBatchWriter {

    private final ChangeEventDecoder decoder = new ChangeEventDecoder();
    private final LakeLayout layout;

    public LakeBatchWriter(LakeLayout layout) {
        this.layout = layout;
    }

    public LakeBatch write(List<KafkaChange> changes) {
        Map<FileSlot, OpenFile> open = new LinkedHashMap<>();
        List<LakeFile> files = new ArrayList<>();
        List<RejectedChange> rejected = new ArrayList<>();
        int tombstones = 0;
        for (KafkaChange change : changes) {
            ChangeEvent event;
            LocalDate day;
            try {
                event = decoder.decode(change.topic(), change.value());
                if (event == null) {
                    tombstones++;
                    continue;
                }
                day = layout.partitionDate(event);
            } catch (MalformedChangeEventException e) {
                rejected.add(new RejectedChange(change, e.getClass().getSimpleName() + ": " + e.getMessage()));
                continue;
            }
            FileSlot slot = new FileSlot(event.table(), change.topic(), change.partition(), day);
            OpenFile file = open.get(slot);
            if (file != null && file.mapping != event.mapping()) {
                files.add(file.finish());
                file = null;
            }
            if (file == null) {
                file = new OpenFile(slot, event.mapping(), change.offset());
                open.put(slot, file);
            }
            file.append(event.mapping().toRecord(event, change.partition(), change.offset()), change.offset());
        }
        for (OpenFile file : open.values()) {
            files.add(file.finish());
        }
        return new LakeBatch(files, rejected, tombstones);
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
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String key = LakeLayout.objectKey(slot.table(), slot.day(), slot.topic(), slot.partition(), firstOffset);
            return new LakeFile(key, output.toByteArray(), slot.table(), slot.topic(), slot.partition(), firstOffset, lastOffset, rows);
        }
    }
}
