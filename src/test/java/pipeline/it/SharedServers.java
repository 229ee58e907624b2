package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import pipeline.dev.DevServers;

/** One set of real Postgres, Kafka and S3 servers for the whole test JVM: they take about ten seconds to start. */
final class SharedServers {

    private static DevServers servers;

    private SharedServers() {
    }

    static synchronized DevServers get() {
        if (servers == null) {
            try {
                Path directory = Files.createTempDirectory("trip-pipeline-it");
                servers = DevServers.start(directory);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        servers.close();
                    } catch (Exception ignored) {
                        // the JVM is exiting; the servers' files are in a temporary directory
                    }
                }));
            } catch (Exception e) {
                throw new IllegalStateException("embedded servers did not start", e);
            }
        }
        return servers;
    }

    static Connection postgres() throws SQLException {
        return DriverManager.getConnection(get().postgres.jdbcUrl("postgres"), "postgres", "");
    }
}
