package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import pipeline.config.PipelineSettings;

/**
 * restate-stats: every {@code pipeline.stats.restate-interval} the latest published months are
 * computed again from the lake and re-published when late changes altered them (contract 6.2).
 */
public class RestateStatsRoute extends EndpointRouteBuilder {

    @BeanInject
    private PipelineSettings settings;

    @Override
    public void configure() {
        if (settings.stats.restateInterval.isZero()) {
            return;
        }
        // the next tick tries again: a failed restatement is reported, not retried in a loop of its own
        onException(Exception.class).handled(true)
                .log(LoggingLevel.WARN, "Restatement of the monthly statistics failed, next try in "
                        + settings.stats.restateInterval.toSeconds() + " s: ${exception.message}");

        long intervalMillis = settings.stats.restateInterval.toMillis();
        // a simple trigger: the first tick an interval after start, which has its own catch-up
        from(quartz("trip-pipeline/restate-stats").stateful(true).triggerStartDelay(intervalMillis)
                .advanced().triggerParameters("repeatInterval", String.valueOf(intervalMillis)))
                .routeId("restate-stats")
                // on the leader only: two instances restating one month would both publish the same next revision
                .routePolicyRef(PipelineConfiguration.LEADER_ONLY)
                .bean("monthlyStatistics", "restate");
    }
}
