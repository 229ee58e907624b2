package bench;

import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Random;

import org.postgresql.PGConnection;

/**
 * The captured table, public.trip, on the benchmark's PostgreSQL 15, and the replication slots and
 * publications the systems leave behind. Besides the columns the statistics read it keeps the
 * {@code fare numeric(8,2)} column of the earlier benchmark, so events carry two decimals.
 */
final class TripTable implements AutoCloseable {

    private final Connection pg;

    TripTable(String jdbcUrl) throws SQLException {
        pg = DriverManager.getConnection(jdbcUrl, "postgres", "");
    }

    Connection connection() {
        return pg;
    }

    /**
     * Drops and recreates the table with {@code rows} rows. VACUUM FREEZE and a CHECKPOINT follow so
     * the snapshot of either system reads a settled table: otherwise the first reader of freshly
     * inserted rows pays for setting their hint bits, and a checkpoint may land inside the measurement.
     */
    void recreate(int rows) throws SQLException {
        try (Statement s = pg.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.trip");
            s.execute("""
                    CREATE TABLE public.trip (
                        trip_id     bigserial PRIMARY KEY,
                        vehicle_id  text NOT NULL,
                        started_at  timestamptz NOT NULL,
                        ended_at    timestamptz,
                        distance_km numeric(10,3),
                        fare        numeric(8,2))""");
            s.execute("INSERT INTO public.trip (vehicle_id, started_at, ended_at, distance_km, fare) "
                    + "SELECT 'vehicle-' || (i % 2000), timestamptz '2024-01-01' + i * interval '13 seconds', "
                    + "timestamptz '2024-01-01' + i * interval '13 seconds' + interval '17 minutes', (i % 5000) / 100.0, (i % 900) / 10.0 "
                    + "FROM generate_series(1, " + rows + ") AS i");
            s.execute("VACUUM (FREEZE, ANALYZE) public.trip");
            s.execute("CHECKPOINT");
        }
    }

    /** One COPY of {@code rows} new rows, a single transaction as bulk loads are. */
    void copyRows(int rows) throws Exception {
        StringBuilder csv = new StringBuilder(rows * 80);
        Instant base = Instant.parse("2024-03-01T00:00:00Z");
        for (int i = 0; i < rows; i++) {
            Instant start = base.plusSeconds(i * 7L);
            csv.append("vehicle-").append(i % 2000).append(',').append(start).append(',').append(start.plusSeconds(600))
                    .append(',').append(BigDecimal.valueOf(i % 7000, 2)).append(',').append(BigDecimal.valueOf(i % 500, 1)).append('\n');
        }
        pg.unwrap(PGConnection.class).getCopyAPI().copyIn(
                "COPY public.trip (vehicle_id, started_at, ended_at, distance_km, fare) FROM STDIN WITH (FORMAT csv)",
                new StringReader(csv.toString()));
    }

    /**
     * 40 % inserts, 45 % updates finishing trips, 15 % deletes, in transactions of 100; returns the
     * WAL position after the last one.
     */
    String applyMixedChanges(int changes) throws SQLException {
        Random random = new Random(42);
        long maxId = maxTripId();
        pg.setAutoCommit(false);
        try (PreparedStatement insert = pg.prepareStatement(
                "INSERT INTO public.trip (vehicle_id, started_at) VALUES (?, now() - make_interval(secs => ?))");
                PreparedStatement update = pg.prepareStatement(
                        "UPDATE public.trip SET ended_at = started_at + interval '25 minutes', distance_km = ? WHERE trip_id = ?");
                PreparedStatement delete = pg.prepareStatement("DELETE FROM public.trip WHERE trip_id = ?")) {
            for (int i = 0; i < changes; i++) {
                int kind = random.nextInt(100);
                if (kind < 40) {
                    insert.setString(1, "vehicle-" + random.nextInt(2000));
                    insert.setInt(2, random.nextInt(86400));
                    insert.executeUpdate();
                } else if (kind < 85) {
                    update.setBigDecimal(1, BigDecimal.valueOf(random.nextInt(100000), 3));
                    update.setLong(2, 1 + (long) (random.nextDouble() * maxId));
                    update.executeUpdate();
                } else {
                    delete.setLong(1, 1 + (long) (random.nextDouble() * maxId));
                    delete.executeUpdate();
                }
                if (i % 100 == 99) {
                    pg.commit();
                }
            }
            pg.commit();
        } finally {
            pg.setAutoCommit(true);
        }
        return currentWalPosition();
    }

    long maxTripId() throws SQLException {
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SELECT coalesce(max(trip_id), 0) FROM public.trip")) {
            r.next();
            return r.getLong(1);
        }
    }

    String currentWalPosition() throws SQLException {
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            r.next();
            return r.getString(1);
        }
    }

    /** Whether the slot's consumer confirmed everything up to {@code lsn}: Debezium confirms only what its offsets hold. */
    boolean slotConfirmed(String slot, String lsn) {
        try (PreparedStatement query = pg.prepareStatement(
                "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            query.setString(1, lsn);
            query.setString(2, slot);
            try (ResultSet r = query.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Drops a stopped system's slot and publication, so the next turn starts clean and no slot pins
     * WAL. The walsender of a stopped client can take a moment to go; one still there after 10 s is
     * terminated.
     */
    void dropSlotAndPublication(String slot, String publication) throws Exception {
        long terminateAfter = System.nanoTime() + 10_000_000_000L;
        long giveUpAfter = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (PreparedStatement drop = pg.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                drop.setString(1, slot);
                drop.executeQuery().close();
                break;
            } catch (SQLException stillActive) {
                if (System.nanoTime() > giveUpAfter) {
                    throw new IllegalStateException("replication slot " + slot + " is still in use a minute after its system stopped",
                            stillActive);
                }
                if (System.nanoTime() > terminateAfter) {
                    try (PreparedStatement terminate = pg.prepareStatement(
                            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
                        terminate.setString(1, slot);
                        terminate.executeQuery().close();
                    }
                }
                Thread.sleep(200);
            }
        }
        try (Statement s = pg.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS " + publication);
        }
    }

    String serverVersion() throws SQLException {
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("SHOW server_version")) {
            r.next();
            return "PostgreSQL " + r.getString(1);
        }
    }

    @Override
    public void close() throws SQLException {
        pg.close();
    }
}
