package pipeline.it;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import pipeline.dev.DevServers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

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
                        Lake.deleteRecursively(directory);
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

    /** An S3 client of the shared S3 server, built like the pipeline's. */
    static S3Client s3(software.amazon.awssdk.core.interceptor.ExecutionInterceptor... interceptors) {
        return S3Client.builder()
                .overrideConfiguration(
                        configuration -> java.util.Arrays.stream(interceptors).forEach(configuration::addExecutionInterceptor))
                .endpointOverride(URI.create(get().s3.endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY)))
                .build();
    }

    static Connection postgres() throws SQLException {
        return DriverManager.getConnection(get().postgres.jdbcUrl("postgres"), "postgres", "");
    }
}
