package pipeline.cluster;

import java.util.Map;

import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Says whether this instance leads or stands by: both are healthy, so a standby answers
 * {@code /observe/health} with 200 and {@code ?exposureLevel=full} names its role.
 */
public final class LeadershipHealthCheck extends AbstractHealthCheck {

    private final CamelClusterService cluster;
    private final String namespace;

    public LeadershipHealthCheck(CamelClusterService cluster, String namespace) {
        super("pipeline", "leadership");
        this.cluster = cluster;
        this.namespace = namespace;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.up().message(cluster.isLeader(namespace) ? "leader" : "standby");
    }
}
