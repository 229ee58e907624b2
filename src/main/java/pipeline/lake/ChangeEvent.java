package pipeline.lake;

/**
 * One decoded Debezium change event, its row already in the lake's form.
 *
 * @param table       {@code schema.table} of the source row
 * @param op          Debezium operation: c, u, d or r
 * @param mapping     the lake row of the table's schema at this change
 * @param row         the table's column values in lake form: the new row, or for a delete the old
 *                    row (which holds at least the key)
 * @param sourceTsMs  commit time of the change, epoch milliseconds
 * @param lsn         write-ahead log position, null when the connector did not report one
 * @param txId        source transaction id, null when not reported
 */
public record ChangeEvent(String table, String op, RowMapping mapping, Object[] row, long sourceTsMs, Long lsn, Long txId) {

    public boolean isDelete() {
        return "d".equals(op);
    }
}
