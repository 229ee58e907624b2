package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import pipeline.compaction.LakeCompaction;
import pipeline.config.PipelineSettings;

/**
 * compact-lake: every {@code pipeline.lake.compact-interval} the day partitions of the raw lake that
 * stopped changing are rewritten as a few large sorted files (contract section 8).
 */
public class CompactLakeRoute extends EndpointRouteBuilder {

    static final String ROUTE_ID = "compact-lake";

    @BeanInject
    private PipelineSettings settings;

    @BeanInject
    private LakeCompaction lakeCompaction;

    @Override
    public void configure() {
        if (settings.lake.compactAfter.isZero()) {
            return;
        }
        long intervalMillis = settings.lake.compactInterval.toMillis();
        // the next tick tries again, and finishes or undoes a swap this one left halfway
        onException(Exception.class).handled(true)
                .log(LoggingLevel.WARN,
                        "Lake compaction failed, next try in " + settings.lake.compactInterval.toSeconds() + " s: ${exception.message}");

        from(quartz("trip-pipeline/compact-lake").stateful(true).triggerStartDelay(intervalMillis)
                .advanced().triggerParameters("repeatInterval", String.valueOf(intervalMillis)))
                .routeId(ROUTE_ID)
                // on the leader only: two instances compacting one partition would each store a copy of it
                .routePolicyRef(PipelineConfiguration.LEADER_ONLY)
                // a run stops between partitions when the route stops (shutdown, leadership lost)
                .process(exchange -> exchange.getMessage().setBody(lakeCompaction.run(
                        () -> exchange.getContext().getRouteController().getRouteStatus(ROUTE_ID) == ServiceStatus.Started)));
    }
}
