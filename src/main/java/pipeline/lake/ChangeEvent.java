package pipeline.lake;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * One decoded Debezium change event.
 *
 * @param table       {@code schema.table} of the source row
 * @param op          Debezium operation: c, u, d or r
 * @param row         the new row, or for a delete the old row (which holds at least the key)
 * @param rowSchema   the Kafka Connect schema of {@code row}
 * @param sourceTsMs  commit time of the change, epoch milliseconds
 * @param lsn         write-ahead log position, null when the connector did not report one
 * @param txId        source transaction id, null when not reported
 */
public record ChangeEvent(String table, String op, Struct row, Schema rowSchema, long sourceTsMs, Long lsn, Long txId) {

    public boolean isDelete() {
        return "d".equals(op);
    }
}
