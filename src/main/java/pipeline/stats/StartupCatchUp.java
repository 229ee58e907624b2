package pipeline.stats;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.RootCause;

/**
 * Computes the months missed while the pipeline was down, once the routes run, without holding up
 * start-up. A failed attempt (S3 away, say) is retried with back-off until one succeeds: the next
 * cron firing may be a month away.
 */
public final class StartupCatchUp extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(StartupCatchUp.class);

    private final CamelContext context;
    private final MonthlyStatisticsService statistics;
    private final Duration firstRetryDelay;
    private ScheduledExecutorService scheduler;

    public StartupCatchUp(CamelContext context, MonthlyStatisticsService statistics, Duration firstRetryDelay) {
        this.context = context;
        this.statistics = statistics;
        this.firstRetryDelay = firstRetryDelay;
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "monthly-stats-catch-up");
        attempt(Duration.ZERO, firstRetryDelay);
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    private void attempt(Duration after, Duration retryDelay) {
        scheduler.schedule(() -> {
            try {
                statistics.onStartup();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("Monthly statistics catch-up failed, retrying in {} s: {}", retryDelay.toSeconds(), RootCause.describe(e));
                Duration next = retryDelay.multipliedBy(2);
                attempt(retryDelay, next.compareTo(MonthlyStatisticsService.MAX_RETRY_DELAY) > 0 ? MonthlyStatisticsService.MAX_RETRY_DELAY : next);
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }
}
