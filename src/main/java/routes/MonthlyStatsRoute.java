package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import pipeline.config.PipelineSettings;

/**
 * monthly-stats: on each Quartz firing ({@code pipeline.stats.cron}) the previous month's vehicle
 * statistics are computed from the lake and published next to it, then any month still missing.
 */
public class MonthlyStatsRoute extends EndpointRouteBuilder {

    @BeanInject
    private PipelineSettings settings;

    @Override
    public void configure() {
        // Quartz reads the cron from the endpoint URI, where spaces are written as '+'
        from(quartz("trip-pipeline/monthly-stats").cron(settings.stats.cron.replace(' ', '+'))
                // a firing still retrying holds the next one back instead of a second worker thread waiting beside it
                .stateful(true)
                // "the 1st at 02:00" in the zone whose calendar months the statistics count, not the JVM's
                .advanced().triggerParameters("timeZone", settings.timezone.getId()))
                .routeId("monthly-stats")
                // a failed run (S3 away, say) is retried until it succeeds: the next firing is a month away
                .routeConfigurationId(RetryPolicy.UNTIL_COMPUTED)
                // fired by the leader only, once per cluster; a new leader catches up the months a failover missed
                .routePolicyRef(PipelineConfiguration.LEADER_ONLY)
                .bean("monthlyStatistics", "onFiring")
                .log("Monthly statistics published for the firing of ${header.scheduledFireTime}: ${body}");
    }
}
