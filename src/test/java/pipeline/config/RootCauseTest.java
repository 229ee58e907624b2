package pipeline.config;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The one line an operator reads names the cause, and for an unreachable server also its address. */
class RootCauseTest {

    @Test
    void anUnreachablePostgresIsDescribedWithItsAddress() throws IOException {
        int port = portNothingListensOn();
        Throwable failure = catchThrowable(
                () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", ""));

        assertThat(RootCause.of(failure)).isInstanceOf(ConnectException.class);
        assertThat(RootCause.describe(new IllegalStateException("probe failed", failure)))
                .startsWith("PSQLException: Connection to 127.0.0.1:" + port + " refused.");
    }

    @Test
    void anUnreachableS3EndpointIsDescribedWithItsAddress() throws IOException {
        int port = portNothingListensOn();
        Throwable failure;
        try (S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
                .build()) {
            failure = catchThrowable(() -> s3.headBucket(request -> request.bucket("lake")));
        }

        assertThat(RootCause.of(failure)).isInstanceOf(ConnectException.class);
        assertThat(RootCause.describe(failure)).contains("127.0.0.1:" + port).contains("Connection refused");
    }

    @Test
    void aWrapperThatOnlyRepeatsItsCauseIsPassedOver() {
        ConnectException refused = new ConnectException("Connection refused");

        assertThat(RootCause.describe(new RuntimeException(refused))).isEqualTo("ConnectException: Connection refused");
        assertThat(RootCause.describe(refused)).isEqualTo("ConnectException: Connection refused");
    }

    @Test
    void anyOtherCauseIsTheInnermostOne() {
        Throwable failure = new RuntimeException("route failed", new IllegalStateException("bucket name rejected"));

        assertThat(RootCause.describe(failure)).isEqualTo("IllegalStateException: bucket name rejected");
    }

    private static int portNothingListensOn() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
