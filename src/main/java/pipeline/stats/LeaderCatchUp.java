package pipeline.stats;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.Backoff;
import pipeline.config.RootCause;

/**
 * Computes the months missed while no instance led (the pipeline down, a firing lost in a failover)
 * each time this instance becomes the leader, without holding anything up. A failed attempt (S3
 * away, say) is retried with back-off until one succeeds or the leadership goes: the next cron
 * firing may be a month away.
 */
public final class LeaderCatchUp extends ServiceSupport implements CamelClusterEventListener.Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderCatchUp.class);

    private final CamelContext context;
    private final MonthlyStatisticsService statistics;
    private final Backoff retries;
    private ScheduledExecutorService scheduler;
    private ScheduledFuture<?> pending;

    public LeaderCatchUp(CamelContext context, MonthlyStatisticsService statistics, Backoff retries) {
        this.context = context;
        this.statistics = statistics;
        this.retries = retries;
    }

    @Override
    protected void doStart() {
        scheduler = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "monthly-stats-catch-up");
    }

    @Override
    protected void doStop() {
        if (scheduler != null) {
            context.getExecutorServiceManager().shutdownNow(scheduler);
        }
    }

    @Override
    public synchronized void leadershipChanged(CamelClusterView view, CamelClusterMember leader) {
        if (!isRunAllowed()) {
            return;
        }
        if (view.getLocalMember().isLeader()) {
            if (pending == null) {
                attempt(Duration.ZERO, retries.first());
            }
        } else if (pending != null) {
            // the new leader catches up itself; a computation under way ends with its month, as a firing would
            pending.cancel(false);
            pending = null;
        }
    }

    private synchronized void attempt(Duration after, Duration retryDelay) {
        pending = scheduler.schedule(() -> {
            try {
                statistics.catchUp();
                done();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.warn("Monthly statistics catch-up failed, retrying in {} s: {}", retryDelay.toSeconds(), RootCause.describe(e));
                retry(retryDelay, retries.after(retryDelay));
            }
        }, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void done() {
        pending = null;
    }

    private synchronized void retry(Duration after, Duration retryDelay) {
        // not when the leadership went meanwhile
        if (pending != null && !pending.isCancelled()) {
            attempt(after, retryDelay);
        }
    }
}
