package pipeline.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.support.cluster.AbstractCamelClusterService;
import pipeline.config.PipelineSettings;
import pipeline.config.SourceDatabase;

/**
 * Camel's cluster service over the one server every instance already shares: a namespace's leader is
 * the instance holding a Postgres advisory lock, keyed by the replication slot (one reader per slot)
 * and the namespace. Routes consuming from {@code master:namespace:...} then run on the leader only.
 */
public final class PostgresLockClusterService extends AbstractCamelClusterService<PostgresLockClusterView> {

    /** What pg_stat_activity shows of a leader-election session: this prefix, then the member id. */
    private static final String APPLICATION_NAME_PREFIX = "trip-pipeline leader-election ";
    // Postgres truncates application names to 63 bytes
    private static final int MAX_MEMBER_ID_LENGTH = 63 - APPLICATION_NAME_PREFIX.length();

    /** Opens the session that holds or tries for the lock. */
    @FunctionalInterface
    public interface Sessions {
        Connection open(int timeoutSeconds) throws SQLException;
    }

    private final String memberId;
    private final String slot;
    private final Sessions sessions;
    private final Map<String, PostgresLockClusterView> views = new ConcurrentHashMap<>();

    /** Instances share leadership when they share the source database and {@code slot}; {@code memberId} names this one. */
    public PostgresLockClusterService(String memberId, String slot, Sessions sessions) {
        super("postgres-lock");
        this.memberId = memberId;
        this.slot = slot;
        this.sessions = sessions;
    }

    /** The instances of one pipeline share its source database and replication slot; each is named by host and management port. */
    public static PostgresLockClusterService of(PipelineSettings settings) {
        String name = hostName() + ":" + settings.console.httpPort;
        String memberId = name.length() > MAX_MEMBER_ID_LENGTH ? name.substring(name.length() - MAX_MEMBER_ID_LENGTH) : name;
        return new PostgresLockClusterService(memberId, settings.pg.slot,
                timeout -> SourceDatabase.connect(settings, timeout, APPLICATION_NAME_PREFIX + memberId));
    }

    /** This instance's name in the cluster and in the log. */
    public String memberId() {
        return memberId;
    }

    @Override
    protected PostgresLockClusterView createView(String namespace) {
        PostgresLockClusterView view = new PostgresLockClusterView(this, namespace, memberId, sessions, slot.hashCode(),
                namespace.hashCode());
        views.put(namespace, view);
        return view;
    }

    /**
     * Why this instance can neither lead {@code namespace} nor know who does (its session to Postgres
     * fails), or null: a leader's routes may then be running nowhere.
     */
    public String electionProblem(String namespace) {
        PostgresLockClusterView view = views.get(namespace);
        return view == null ? null : view.electionProblem();
    }

    /** The member id in a leader-election session's application name. */
    static String memberId(String applicationName) {
        return applicationName.startsWith(APPLICATION_NAME_PREFIX)
                ? applicationName.substring(APPLICATION_NAME_PREFIX.length())
                : applicationName;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
