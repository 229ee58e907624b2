package pipeline.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.RootCause;

/**
 * One namespace's leadership: the instance whose session holds the namespace's advisory lock on the
 * source database leads. Postgres releases the lock when that session ends, at once when the process
 * dies and after the TCP keepalives below when its machine or network does; the others try for it
 * every {@link #CHECK_INTERVAL}. A leader that cannot confirm its lock within the socket timeout
 * steps down before Postgres gives the lock to another.
 */
final class PostgresLockClusterView extends AbstractCamelClusterView {

    /** How often a standby tries for the lock and the leader confirms it still holds it. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);
    private static final long WHILE_STARTING_MILLIS = 100;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLockClusterView.class);
    /** The leader's confirmation gives up after this: it then steps down. */
    private static final int SOCKET_TIMEOUT_SECONDS = 5;
    // the server finds a lock holder's dead machine after 10 s idle + 3 unanswered probes 3 s apart, 19 s,
    // later than the holder itself gives up (a check every 2 s, 5 s socket timeout): one leader at a time
    private static final String KEEPALIVES = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 3; SET tcp_keepalives_count = 3";
    private static final String LOCK_HOLDER = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            + "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::bigint::oid AND l.objid = ?::bigint::oid AND l.objsubid = 2";
    private static final String HELD_BY_THIS_SESSION = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            + "AND pid = pg_backend_pid() AND classid = ?::bigint::oid AND objid = ?::bigint::oid AND objsubid = 2";

    private final PostgresLockClusterService.Sessions sessions;
    private final int lockKey1;
    private final int lockKey2;
    private final Member local;
    private volatile String leaderId;
    /** The last other instance seen leading, named when this one takes over. */
    private String formerLeader;
    private ScheduledExecutorService checks;
    private Connection session;
    private volatile String lastProblem;

    PostgresLockClusterView(CamelClusterService service, String namespace, String memberId, PostgresLockClusterService.Sessions sessions,
            int lockKey1, int lockKey2) {
        super(service, namespace);
        this.sessions = sessions;
        this.lockKey1 = lockKey1;
        this.lockKey2 = lockKey2;
        this.local = new Member(memberId, true);
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        String leader = leaderId;
        if (leader == null) {
            return Optional.empty();
        }
        return Optional.of(leader.equals(local.getId()) ? local : new Member(leader, false));
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        List<CamelClusterMember> members = new ArrayList<>();
        members.add(local);
        getLeader().filter(leader -> !leader.isLocal()).ifPresent(members::add);
        return members;
    }

    /** Why this instance cannot take part in the election right now (Postgres unreachable, refusing the login), or null. */
    String electionProblem() {
        return lastProblem;
    }

    /** Whether this instance leads the namespace now. */
    boolean leading() {
        return local.getId().equals(leaderId);
    }

    @Override
    protected void doStart() {
        checks = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "leader-election-" + getNamespace());
        checks.execute(this::checkAndScheduleNext);
    }

    /** The first check comes as soon as Camel has started the routes, not a whole interval later. */
    private void checkAndScheduleNext() {
        long nextInMillis = check() ? CHECK_INTERVAL.toMillis() : WHILE_STARTING_MILLIS;
        try {
            checks.schedule(this::checkAndScheduleNext, nextInMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("Leader election stopped");
        }
    }

    /** Runs once Camel stopped the routes: the lock goes with the session, after the leader's work has ended. */
    @Override
    protected void doStop() throws InterruptedException {
        if (checks != null) {
            checks.shutdownNow();
            checks.awaitTermination(SOCKET_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
            getCamelContext().getExecutorServiceManager().shutdownNow(checks);
        }
        closeSession();
        if (leading()) {
            LOG.info("No longer leading {}: this instance stops", getNamespace());
            leaderId = null;
            fireLeadershipChangedEvent((CamelClusterMember) null);
        }
    }

    /** False when Camel is still starting, and so no check was made. */
    private boolean check() {
        if (!getCamelContext().isStarted() || getCamelContext().getRouteController().isStartingRoutes()) {
            // Camel's clustered route policy drops a leadership that comes while the routes are still being started
            return false;
        }
        try {
            if (session == null) {
                session = sessions.open(SOCKET_TIMEOUT_SECONDS);
                try (Statement keepalives = session.createStatement()) {
                    keepalives.execute(KEEPALIVES);
                }
            }
            if (leading()) {
                confirmLock();
            } else {
                tryLock();
            }
            lastProblem = null;
        } catch (SQLException | RuntimeException e) {
            closeSession();
            if (!isRunAllowed() || getCamelContext().isStopping()) {
                // the routes are stopping anyway, and --dev's embedded Postgres may stop beside them
                LOG.debug("Leader-election session ended while stopping: {}", e.getMessage());
                return true;
            }
            String problem = RootCause.describe(e);
            if (leading()) {
                leaderId = null;
                LOG.warn("Standing by for {}: the session holding the leader lock failed ({}); Postgres frees the lock and another "
                        + "instance takes over", getNamespace(), problem);
                fireLeadershipChangedEvent((CamelClusterMember) null);
            } else if (!problem.equals(lastProblem)) {
                LOG.warn("Cannot compete for leadership of {} until Postgres answers: {}", getNamespace(), problem);
            }
            lastProblem = problem;
        }
        return true;
    }

    private void tryLock() throws SQLException {
        try (PreparedStatement lock = session.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            lock.setInt(1, lockKey1);
            lock.setInt(2, lockKey2);
            try (ResultSet acquired = lock.executeQuery()) {
                acquired.next();
                if (acquired.getBoolean(1)) {
                    leaderId = local.getId();
                    LOG.info("Leading {}: this instance took the leader lock, {}", getNamespace(), formerLeader == null
                            ? "which no running instance held"
                            : "freed when instance " + formerLeader + " stopped or lost its session");
                    fireLeadershipChangedEvent(local);
                    return;
                }
            }
        }
        String holder = lockHolder();
        if (!Objects.equals(holder, leaderId)) {
            // null between two leaders: the lock is free until the next check takes it
            leaderId = holder;
            if (holder != null) {
                formerLeader = holder;
                LOG.info("Standing by for {}: instance {} leads", getNamespace(), holder);
            }
            fireLeadershipChangedEvent(holder == null ? null : new Member(holder, false));
        }
    }

    private void confirmLock() throws SQLException {
        try (PreparedStatement held = session.prepareStatement(HELD_BY_THIS_SESSION)) {
            bindKeys(held);
            try (ResultSet count = held.executeQuery()) {
                count.next();
                if (count.getInt(1) == 0) {
                    // an administrator's pg_advisory_unlock_all() or the like: the session lives, the lock is gone
                    throw new IllegalStateException("the lock is no longer held by this session");
                }
            }
        }
    }

    /** The application name of the session holding the lock (the leader's member id), or null between two leaders. */
    private String lockHolder() throws SQLException {
        try (PreparedStatement holder = session.prepareStatement(LOCK_HOLDER)) {
            bindKeys(holder);
            try (ResultSet found = holder.executeQuery()) {
                return found.next() ? PostgresLockClusterService.memberId(found.getString(1)) : null;
            }
        }
    }

    private void bindKeys(PreparedStatement statement) throws SQLException {
        // pg_locks shows the two int4 keys as oids, their bits read unsigned
        statement.setLong(1, Integer.toUnsignedLong(lockKey1));
        statement.setLong(2, Integer.toUnsignedLong(lockKey2));
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                LOG.debug("Closing the leader-election session: {}", e.getMessage());
            }
            session = null;
        }
    }

    private final class Member implements CamelClusterMember {
        private final String id;
        private final boolean local;

        Member(String id, boolean local) {
            this.id = id;
            this.local = local;
        }

        @Override
        public String getId() {
            return id;
        }

        @Override
        public boolean isLeader() {
            return id.equals(leaderId);
        }

        @Override
        public boolean isLocal() {
            return local;
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
