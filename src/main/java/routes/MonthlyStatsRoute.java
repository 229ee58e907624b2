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
        from(quartz("trip-pipeline/monthly-stats").cron(settings.statsCron.replace(' ', '+')))
                .routeId("monthly-stats")
                .bean("monthlyStatistics", "onFiring")
                .log("Monthly statistics published: ${body}");
    }
}
