package pipeline.observe;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import pipeline.cdc.DebeziumBatchComponent;
import pipeline.config.KafkaReachability;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.config.SourceDatabase;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether one of the servers the pipeline depends on answers right now: DOWN, with the reason, makes
 * {@code /observe/health} answer 503 and name the check. A probe gives up after a few seconds so a
 * scrape never hangs on a dead server.
 */
public final class DependencyHealthCheck extends AbstractHealthCheck {

    private static final int TIMEOUT_SECONDS = 3;

    @FunctionalInterface
    interface Probe {
        void check() throws Exception;
    }

    private final Probe probe;

    DependencyHealthCheck(String id, Probe probe) {
        super("pipeline", id);
        this.probe = probe;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            probe.check();
            builder.up();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // our own findings are already sentences; a library's failure is named by its class
            builder.down().message(e instanceof IllegalStateException ? e.getMessage() : RootCause.describe(e));
        }
    }

    /** Logs in to the source database, checks it keeps logical decoding's WAL and finds the captured tables there. */
    public static DependencyHealthCheck postgres(PipelineSettings settings) {
        return new DependencyHealthCheck("postgres", () -> {
            try (Connection connection = SourceDatabase.connect(settings, TIMEOUT_SECONDS);
                    PreparedStatement walLevel = connection.prepareStatement("SELECT current_setting('wal_level')");
                    PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                try (ResultSet level = walLevel.executeQuery()) {
                    level.next();
                    if (!"logical".equals(level.getString(1))) {
                        throw new IllegalStateException(
                                "wal_level is " + level.getString(1) + " on " + settings.pg.host + ":" + settings.pg.port
                                        + "; change data capture needs wal_level = logical (postgresql.conf, then a server restart)");
                    }
                }
                for (String table : settings.pg.tables) {
                    exists.setString(1, table);
                    try (ResultSet found = exists.executeQuery()) {
                        if (!found.next() || !found.getBoolean(1)) {
                            throw new IllegalStateException("table " + table + " (pipeline.pg.tables) does not exist in database "
                                    + settings.pg.database);
                        }
                    }
                }
            }
        });
    }

    /**
     * Whether Debezium captures: DOWN with the engine's last failure until a batch goes through again,
     * or with the reason this instance cannot take part in the leader election, which leaves capture
     * to no one when every instance has it. A standby whose election session works is UP.
     */
    public static DependencyHealthCheck capture(DebeziumBatchComponent debezium, Supplier<String> electionProblem) {
        return new DependencyHealthCheck("cdc-to-kafka", () -> {
            String failure = debezium.captureFailure();
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
            String election = electionProblem.get();
            if (election != null) {
                throw new IllegalStateException("not capturing: the leader election cannot reach Postgres: " + election);
            }
        });
    }

    /** Asks the Kafka cluster for its id. */
    public static DependencyHealthCheck kafka(PipelineSettings settings) {
        return new DependencyHealthCheck("kafka", () -> {
            String problem = KafkaReachability.problem(settings.kafka, Duration.ofSeconds(TIMEOUT_SECONDS));
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        });
    }

    /** Asks S3 about the lake's bucket; a bucket not created yet is fine, the first upload creates it. */
    public static DependencyHealthCheck s3(PipelineSettings settings, S3Client s3) {
        return new DependencyHealthCheck("s3", () -> {
            try {
                s3.headBucket(r -> r.bucket(settings.s3.bucket));
            } catch (NoSuchBucketException notYetCreated) {
                // the server answered
            } catch (SdkClientException e) {
                // the SDK's own message lists every provider of its chain, over a thousand characters
                if (settings.s3.accessKey.isEmpty() && String.valueOf(e.getMessage()).startsWith("Unable to load credentials")) {
                    throw new IllegalStateException("no S3 credentials: pipeline.s3.access-key and secret-key are empty "
                            + "and the AWS default credential chain found none");
                }
                throw e;
            } catch (S3Exception e) {
                // a HEAD has no body to tell which: S3 says only "Forbidden"
                if (e.statusCode() == 403) {
                    throw new IllegalStateException("S3 refused access to bucket " + settings.s3.bucket + " (403 Forbidden): "
                            + "pipeline.s3.access-key or secret-key is wrong, or the bucket belongs to another account");
                }
                throw e;
            }
        });
    }
}
