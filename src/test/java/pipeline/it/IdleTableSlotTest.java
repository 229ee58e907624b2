package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * A captured table that stays idle while other tables of the database take writes: the replication
 * slot's confirmed position must still follow the server's WAL, or the server keeps that WAL for us
 * (the source is not ours to fill up). The app runs as its own process, as users run it.
 */
class IdleTableSlotTest {

    @Test
    void theSlotKeepsUpWhileOnlyOtherTablesAreWritten() throws Exception {
        String name = "trip_idle";
        createTable(name);
        execute("DROP TABLE IF EXISTS public.not_captured_busy");
        execute("CREATE TABLE public.not_captured_busy (id bigserial PRIMARY KEY, payload text)");
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline; AppProcess app = AppProcess.start(pipeline)) {
            pipeline.awaitStreaming();
            execute("INSERT INTO public." + name + " (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', now())");
            long writtenBefore = walPosition();
            for (int round = 0; round < 10; round++) {
                execute("INSERT INTO public.not_captured_busy (payload) SELECT repeat('x', 500) FROM generate_series(1, 2000)");
            }
            long written = walPosition();
            assertThat(written - confirmedFlush(pipeline.slot)).as("the other table's writes are WAL the slot has not confirmed yet")
                    .isGreaterThan(1L << 20);
            await().alias("slot confirmed past the other table's writes").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                    .until(() -> confirmedFlush(pipeline.slot) >= written);
            long retained = retainedBytes(pipeline.slot);
            assertThat(retained).as("WAL the slot still holds").isLessThan(1L << 20);
            System.out.printf("IdleTableSlotTest figures: %,d bytes of WAL written to an uncaptured table, %,d still held by the slot%n",
                    written - writtenBefore, retained);
            app.stop(Duration.ofSeconds(60));
        }
    }

    private static long walPosition() throws SQLException {
        return queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint", null);
    }

    private static long confirmedFlush(String slot) throws SQLException {
        return queryLong("SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::bigint FROM pg_replication_slots WHERE slot_name = ?", slot);
    }

    private static long retainedBytes(String slot) throws SQLException {
        return queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots "
                + "WHERE slot_name = ?", slot);
    }

    private static long queryLong(String sql, String parameter) throws SQLException {
        try (Connection connection = SharedServers.postgres(); PreparedStatement query = connection.prepareStatement(sql)) {
            if (parameter != null) {
                query.setString(1, parameter);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
