package pipeline.config;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;

/** Whether Kafka answers: asked for its cluster id, as Kafka Connect's own start-up does. */
public final class KafkaReachability {

    private KafkaReachability() {
    }

    /**
     * Null when the cluster answered within {@code timeout}, else why not in one line; a refusal that
     * is no silence (authentication, TLS) is thrown as the client reported it.
     */
    public static String problem(PipelineSettings.Kafka kafka, Duration timeout) throws Exception {
        try (Admin admin = Admin.create(PipelineSettings.Kafka.withCallTimeout(kafka.clientProperties(), timeout))) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            return silent(kafka, timeout);
        } catch (ExecutionException e) {
            // an unreachable broker is only ever a timeout, whose own message says nothing of where
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                return silent(kafka, timeout);
            }
            throw e;
        }
    }

    private static String silent(PipelineSettings.Kafka kafka, Duration timeout) {
        return "Kafka at " + kafka.brokers + " did not answer within " + timeout.toSeconds() + " s";
    }
}
