package pipeline.dev;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real Postgres, Kafka and S3 servers started on free local ports, for --dev and the tests. */
public final class DevServers implements AutoCloseable {

    public static final String S3_ACCESS_KEY = "trip-pipeline-dev";
    public static final String S3_SECRET_KEY = "trip-pipeline-dev-secret";

    public final EmbeddedPostgres postgres;
    public final EmbeddedKafka kafka;
    public final EmbeddedS3 s3;
    public final Path s3Dir;

    private DevServers(EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedS3 s3, Path s3Dir) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.s3 = s3;
        this.s3Dir = s3Dir;
    }

    /** Servers that stop with the JVM, whatever else runs then: for tests. */
    public static DevServers start(Path baseDir) throws Exception {
        return start(baseDir, true);
    }

    /**
     * With {@code stopWithJvm} false, Postgres stops only at {@link #close()}: --dev closes the servers
     * after Camel stopped, where a shutdown hook of its own would stop Postgres under Debezium's feet.
     */
    public static DevServers start(Path baseDir, boolean stopWithJvm) throws Exception {
        EmbeddedPostgres postgres = null;
        EmbeddedKafka kafka = null;
        try {
            postgres = EmbeddedPostgres.start(baseDir.resolve("postgres"), freePort(), stopWithJvm);
            kafka = EmbeddedKafka.start(baseDir.resolve("kafka"), freePort(), freePort());
            Path s3Dir = baseDir.resolve("s3");
            EmbeddedS3 s3 = EmbeddedS3.start(s3Dir, freePort(), S3_ACCESS_KEY, S3_SECRET_KEY);
            return new DevServers(postgres, kafka, s3, s3Dir);
        } catch (Exception e) {
            // the servers already up would outlive the failed start, Postgres as a process of its own
            Exception notStopped = closeAll(kafka, postgres);
            if (notStopped != null) {
                e.addSuppressed(notStopped);
            }
            throw e;
        }
    }

    /** The pipeline.* settings that point the routes at these servers. */
    public Map<String, String> pipelineProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("pipeline.pg.host", "127.0.0.1");
        properties.put("pipeline.pg.port", String.valueOf(postgres.port()));
        properties.put("pipeline.pg.database", "postgres");
        properties.put("pipeline.pg.user", "postgres");
        properties.put("pipeline.pg.password", "");
        properties.put("pipeline.kafka.brokers", kafka.bootstrapServers());
        properties.put("pipeline.s3.endpoint", s3.endpoint());
        properties.put("pipeline.s3.access-key", S3_ACCESS_KEY);
        properties.put("pipeline.s3.secret-key", S3_SECRET_KEY);
        return properties;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Stops every server, even when one of them fails to stop. */
    @Override
    public void close() throws Exception {
        Exception failure = closeAll(s3, kafka, postgres);
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes each server that was started; returns the first failure, the later ones suppressed in it, or null. */
    private static Exception closeAll(AutoCloseable... servers) {
        Exception failure = null;
        for (AutoCloseable server : servers) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }
}
