package pipeline.it;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An IoT fleet writing to a table made by {@link CdcToLakeTest#createTable}: runs of
 * mixed changes (40 % inserts, 45 % updates that finish or move trips, 15 % deletes) in small
 * transactions, at a steady pace, from a thread of its own. Starts fall in January to March 2024,
 * across month edges and the DST change in Europe, unless another window is given.
 */
final class ChangeStream {

    private static final Instant FIRST_START = Instant.parse("2024-01-01T00:00:00Z");
    private static final Instant END_OF_STARTS = Instant.parse("2024-04-01T00:00:00Z");

    private final Instant firstStart;
    private final long startSpanSeconds;
    private final Database database;
    private final String table;
    private final int perSecond;
    private final Random random;
    private final AtomicInteger made = new AtomicInteger();
    private final Map<Long, Integer> changesPerTrip = new ConcurrentHashMap<>();
    private final List<Long> live = new ArrayList<>();
    private long nextId = 1;
    private volatile LargeTransaction largeTransactionNext;

    /** A transaction asked for by size; {@code committed} gives its transaction id once it is committed. */
    private record LargeTransaction(int changes, CompletableFuture<Long> committed) {
    }

    ChangeStream(Database database, String table, int perSecond, long seed) {
        this(database, table, perSecond, seed, FIRST_START, END_OF_STARTS);
    }

    /** Trips that start from {@code firstStart} until {@code endOfStarts} (a move may take one a few weeks outside). */
    ChangeStream(Database database, String table, int perSecond, long seed, Instant firstStart, Instant endOfStarts) {
        this.firstStart = firstStart;
        this.startSpanSeconds = Duration.between(firstStart, endOfStarts).getSeconds();
        this.database = database;
        this.table = table;
        this.perSecond = perSecond;
        this.random = new Random(seed);
    }

    /** Starts writing {@code changes} more changes; the future completes once they are all committed. */
    CompletableFuture<Void> start(int changes) {
        return CompletableFuture.runAsync(() -> {
            try (Connection pg = database.connect()) {
                write(pg, made.get() + changes);
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException("the change stream stopped after " + made.get() + " changes", e);
            }
        });
    }

    /**
     * Makes the stream's next transaction one of {@code changes} changes (counted in the stream's
     * total); the future gives its transaction id, Debezium's {@code source.txId}, once committed.
     */
    CompletableFuture<Long> largeTransactionNext(int changes) {
        LargeTransaction large = new LargeTransaction(changes, new CompletableFuture<>());
        largeTransactionNext = large;
        return large.committed();
    }

    /** Changes committed so far. */
    int made() {
        return made.get();
    }

    private void write(Connection pg, int until) throws SQLException, InterruptedException {
        pg.setAutoCommit(false);
        try (PreparedStatement insert = pg.prepareStatement("INSERT INTO " + table
                + " (trip_id, vehicle_id, started_at, distance_km, note) VALUES (?, ?, ?, ?, ?)");
                PreparedStatement finish = pg.prepareStatement("UPDATE " + table
                        + " SET ended_at = started_at + ? * interval '1 second', distance_km = ?, paid = true WHERE trip_id = ?");
                PreparedStatement move = pg.prepareStatement("UPDATE " + table
                        + " SET started_at = started_at + ? * interval '1 hour', vehicle_id = ? WHERE trip_id = ?");
                PreparedStatement delete = pg.prepareStatement("DELETE FROM " + table + " WHERE trip_id = ?")) {
            long began = System.nanoTime();
            int before = made.get();
            List<Long> inTransactionTrips = new ArrayList<>();
            while (made.get() < until) {
                LargeTransaction large = largeTransactionNext;
                largeTransactionNext = null;
                int inTransaction = Math.min(large != null ? large.changes() : 1 + random.nextInt(20), until - made.get());
                for (int i = 0; i < inTransaction; i++) {
                    int kind = live.size() < 50 ? 0 : random.nextInt(100);
                    if (kind < 40) {
                        long id = nextId++;
                        insert.setLong(1, id);
                        insert.setString(2, "v-" + random.nextInt(200));
                        insert.setObject(3, OffsetDateTime.ofInstant(firstStart.plusSeconds((long) (random.nextDouble() * startSpanSeconds))
                                .plusNanos(random.nextInt(1_000_000) * 1000L), ZoneOffset.UTC));
                        insert.setBigDecimal(4, random.nextInt(5) == 0 ? null : BigDecimal.valueOf(random.nextInt(5_000_000), 3));
                        insert.setString(5, "trip " + id);
                        insert.executeUpdate();
                        live.add(id);
                        inTransactionTrips.add(id);
                    } else if (kind < 70) {
                        finish.setInt(1, random.nextInt(7200) - 60);
                        finish.setBigDecimal(2, BigDecimal.valueOf(random.nextInt(5_000_000), 3));
                        finish.setLong(3, someLiveTrip(inTransactionTrips));
                        finish.executeUpdate();
                    } else if (kind < 85) {
                        move.setInt(1, random.nextInt(1000) - 500);
                        move.setString(2, "v-" + random.nextInt(200));
                        move.setLong(3, someLiveTrip(inTransactionTrips));
                        move.executeUpdate();
                    } else {
                        long id = live.remove(random.nextInt(live.size()));
                        delete.setLong(1, id);
                        delete.executeUpdate();
                        inTransactionTrips.add(id);
                    }
                }
                long transactionId = large != null ? transactionId(pg) : 0;
                pg.commit();
                if (large != null) {
                    large.committed().complete(transactionId);
                }
                inTransactionTrips.forEach(id -> changesPerTrip.merge(id, 1, Integer::sum));
                inTransactionTrips.clear();
                long due = began + (made.addAndGet(inTransaction) - before) * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        }
    }

    private static long transactionId(Connection pg) throws SQLException {
        try (PreparedStatement query = pg.prepareStatement("SELECT txid_current()"); java.sql.ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private long someLiveTrip(List<Long> inTransactionTrips) {
        long id = live.get(random.nextInt(live.size()));
        inTransactionTrips.add(id);
        return id;
    }

    /**
     * Asserts that every committed change is in the lake (copies left by crashes share their
     * {@code __lsn} and count once), trip by trip, since a lost change may hide behind a later one
     * in the latest state. Names the first trips that lack some, with their events in the lake.
     */
    void assertEveryChangeIn(Lake lake) throws Exception {
        Map<Long, Integer> found = new HashMap<>();
        for (List<String> row : lake.query("SELECT trip_id, count(DISTINCT (__lsn, __op)) FROM {events} GROUP BY trip_id")) {
            found.put(Long.parseLong(row.get(0)), Integer.parseInt(row.get(1)));
        }
        List<Long> lacking = changesPerTrip.keySet().stream().sorted()
                .filter(trip -> !changesPerTrip.get(trip).equals(found.get(trip))).limit(5).toList();
        StringBuilder report = new StringBuilder();
        for (long trip : lacking) {
            report.append("trip ").append(trip).append(": ").append(changesPerTrip.get(trip)).append(" changes committed, in the lake ")
                    .append(lake.query("SELECT __op, __lsn, __txid, __source_ts_ms, __kafka_offset FROM {events} WHERE trip_id = "
                            + trip + " ORDER BY __lsn"))
                    .append('\n');
        }
        assertThat(lacking).as("trips whose changes are not all in the lake:\n" + report).isEmpty();
        assertThat(found.keySet()).as("trips in the lake").isEqualTo(changesPerTrip.keySet());
    }
}
