package pipeline.compaction;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The external sort behind compaction: order by key then change position, copies of one Kafka record once, whatever the spills. */
class SortedRowsTest {

    private static final Schema ROW = SchemaBuilder.record("row").fields()
            .requiredString("vehicle").requiredLong("trip")
            .optionalLong("__lsn").requiredInt("__kafka_partition").requiredLong("__kafka_offset")
            .endRecord();

    @TempDir
    Path scratch;

    @Test
    void rowsComeOutByKeyThenLsnThenKafkaPositionWithCopiesOnceAcrossSpills() throws Exception {
        List<GenericRecord> rows = new ArrayList<>();
        Random random = new Random(7);
        for (int offset = 0; offset < 5_000; offset++) {
            rows.add(row("v-" + random.nextInt(20), random.nextInt(300), random.nextInt(10) == 0 ? null : (long) random.nextInt(1_000),
                    offset % 3, offset));
        }
        // every tenth change twice, as a replay after a crash writes it again, in another file
        List<GenericRecord> input = new ArrayList<>(rows);
        for (int i = 0; i < rows.size(); i += 10) {
            input.add(copy(rows.get(i)));
        }
        Collections.shuffle(input, random);

        List<GenericRecord> sorted = new ArrayList<>();
        try (SortedRows sorter = new SortedRows(ROW, LakeCompaction.order(ROW, List.of("vehicle", "trip")), scratch, 1 << 20)) {
            for (int i = 0; i < input.size(); i++) {
                sorter.add(input.get(i));
                if (i % 700 == 699) {
                    sorter.spill();
                }
            }
            assertThat(Files.list(scratch).count()).as("sorted runs on disk").isEqualTo(7);
            for (Iterator<GenericRecord> merged = sorter.merged(); merged.hasNext();) {
                sorted.add(merged.next());
            }
            assertThat(sorter.copiesDropped()).isEqualTo(500);
        }
        assertThat(Files.list(scratch).count()).as("runs deleted").isZero();

        List<String> expected = rows.stream().sorted((a, b) -> {
            int order = a.get("vehicle").toString().compareTo(b.get("vehicle").toString());
            order = order != 0 ? order : Long.compare((Long) a.get("trip"), (Long) b.get("trip"));
            Long lsnA = (Long) a.get("__lsn");
            Long lsnB = (Long) b.get("__lsn");
            // a change without an LSN (none in the lake today) sorts first
            order = order != 0
                    ? order
                    : lsnA == null || lsnB == null ? Boolean.compare(lsnA != null, lsnB != null) : Long.compare(lsnA, lsnB);
            order = order != 0 ? order : Integer.compare((Integer) a.get("__kafka_partition"), (Integer) b.get("__kafka_partition"));
            return order != 0 ? order : Long.compare((Long) a.get("__kafka_offset"), (Long) b.get("__kafka_offset"));
        }).map(SortedRowsTest::describe).toList();
        assertThat(sorted.stream().map(SortedRowsTest::describe).toList()).isEqualTo(expected);
    }

    private static GenericRecord row(String vehicle, long trip, Long lsn, int partition, long offset) {
        GenericData.Record row = new GenericData.Record(ROW);
        row.put("vehicle", new Utf8(vehicle));
        row.put("trip", trip);
        row.put("__lsn", lsn);
        row.put("__kafka_partition", partition);
        row.put("__kafka_offset", offset);
        return row;
    }

    private static GenericRecord copy(GenericRecord row) {
        return row(row.get("vehicle").toString(), (Long) row.get("trip"), (Long) row.get("__lsn"), (Integer) row.get("__kafka_partition"),
                (Long) row.get("__kafka_offset"));
    }

    private static String describe(GenericRecord row) {
        return row.get("vehicle") + "/" + row.get("trip") + "/" + row.get("__lsn") + "/" + row.get("__kafka_partition") + "/"
                + row.get("__kafka_offset");
    }
}
