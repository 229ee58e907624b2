package pipeline.stats;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.quartz.spi.ThreadPool;

/**
 * Quartz's thread pool for routes monthly-stats and restate-stats: one thread, which sleeps until
 * Quartz hands it a job. Quartz's own SimpleThreadPool has every idle worker look for work twice a
 * second, for jobs that fire once a month or an hour. One thread is enough: the two statistics jobs
 * take turns, as their computations must (one at a time), and each is stateful.
 */
public final class StatisticsJobThread implements ThreadPool {

    private final Semaphore free = new Semaphore(1);
    private String schedulerName = "quartz";
    private ExecutorService worker;

    @Override
    public void initialize() {
        worker = Executors.newSingleThreadExecutor(job -> new Thread(job, schedulerName + "_Worker-1"));
    }

    /** Returns at once while the thread is free; waits only while a job runs, until it ends or the pool shuts down. */
    @Override
    public int blockForAvailableThreads() {
        try {
            while (!free.tryAcquire(1, TimeUnit.SECONDS)) {
                if (worker.isShutdown()) {
                    return 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        free.release();
        return 1;
    }

    @Override
    public boolean runInThread(Runnable job) {
        if (blockForAvailableThreads() == 0) {
            return false;
        }
        free.acquireUninterruptibly();
        try {
            worker.execute(() -> {
                try {
                    job.run();
                } finally {
                    free.release();
                }
            });
            return true;
        } catch (RejectedExecutionException shutDown) {
            free.release();
            return false;
        }
    }

    @Override
    public void shutdown(boolean waitForJobsToComplete) {
        worker.shutdown();
        if (waitForJobsToComplete) {
            try {
                worker.awaitTermination(Long.MAX_VALUE, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public int getPoolSize() {
        return 1;
    }

    @Override
    public void setInstanceId(String schedulerInstanceId) {
        // one pool per scheduler: the name is enough to tell its thread
    }

    @Override
    public void setInstanceName(String schedulerName) {
        this.schedulerName = schedulerName;
    }
}
