package pipeline.lake;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;

/**
 * The one home of what every Parquet file of the pipeline shares, for the writers and the readers:
 * the change columns after a table's own, their meaning, and how files are written.
 */
public final class LakeFormat {

    /** Debezium operation: c (insert), u (update), d (delete), r (snapshot read). */
    public static final String OP = "__op";
    public static final String DELETED = "__deleted";
    /** Commit time of the change in the source, epoch milliseconds. */
    public static final String SOURCE_TS_MS = "__source_ts_ms";
    /** Position in the source's write-ahead log: the order of versions of a row, and the same for copies of one change. */
    public static final String LSN = "__lsn";
    public static final String TXID = "__txid";
    public static final String KAFKA_PARTITION = "__kafka_partition";
    /** Breaks ties between versions with one LSN (several changes of a row in one transaction). */
    public static final String KAFKA_OFFSET = "__kafka_offset";

    /** How many change columns follow a table's own columns in a raw lake row. */
    static final int CHANGE_COLUMNS = 7;

    /** How many times its stored bytes a Snappy Parquet row takes as an Avro record in the heap, about. */
    public static final int IN_MEMORY_EXPANSION = 12;

    /**
     * PostgreSQL's {@code 'infinity'} and {@code '-infinity'} in a timestamp column, in microseconds:
     * the values DuckDB writes for them to Parquet and reads back as infinities.
     */
    public static final long INFINITY_MICROS = Long.MAX_VALUE;
    public static final long MINUS_INFINITY_MICROS = -Long.MAX_VALUE;
    /** The same in a date column, in days. */
    public static final int INFINITY_DAYS = Integer.MAX_VALUE;
    public static final int MINUS_INFINITY_DAYS = -Integer.MAX_VALUE;

    /** Name prefix of the files compaction writes in a day partition, in place of the lake writer's. */
    public static final String COMPACTED_PREFIX = "compacted-";

    private LakeFormat() {
    }

    /** The change columns, in their order after the table's own. */
    static void addChangeColumns(java.util.List<Schema.Field> fields) {
        fields.add(new Schema.Field(OP, Schema.create(Schema.Type.STRING)));
        fields.add(new Schema.Field(DELETED, Schema.create(Schema.Type.BOOLEAN)));
        fields.add(new Schema.Field(SOURCE_TS_MS, Schema.create(Schema.Type.LONG)));
        fields.add(new Schema.Field(LSN, nullable(Schema.create(Schema.Type.LONG)), null, Schema.Field.NULL_DEFAULT_VALUE));
        fields.add(new Schema.Field(TXID, nullable(Schema.create(Schema.Type.LONG)), null, Schema.Field.NULL_DEFAULT_VALUE));
        fields.add(new Schema.Field(KAFKA_PARTITION, Schema.create(Schema.Type.INT)));
        fields.add(new Schema.Field(KAFKA_OFFSET, Schema.create(Schema.Type.LONG)));
    }

    public static boolean isInfiniteMicros(long micros) {
        return micros == INFINITY_MICROS || micros == MINUS_INFINITY_MICROS;
    }

    public static boolean isInfiniteDays(int days) {
        return days == INFINITY_DAYS || days == MINUS_INFINITY_DAYS;
    }

    static Schema nullable(Schema schema) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), schema);
    }

    /**
     * A Snappy Parquet writer of records in Avro's raw form (micros as long, decimals as unscaled
     * bytes), without Hadoop's configuration machinery.
     */
    public static ParquetWriter<GenericRecord> openWriter(OutputFile output, Schema schema) {
        return openWriter(output, schema, ParquetWriter.DEFAULT_BLOCK_SIZE);
    }

    /** A writer whose row groups, held in memory until complete, are at most {@code rowGroupBytes}. */
    public static ParquetWriter<GenericRecord> openWriter(OutputFile output, Schema schema, long rowGroupBytes) {
        try {
            return AvroParquetWriter.<GenericRecord>builder(output)
                    .withRowGroupSize(rowGroupBytes)
                    .withSchema(schema)
                    .withDataModel(GenericData.get())
                    .withConf(new PlainParquetConfiguration())
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
