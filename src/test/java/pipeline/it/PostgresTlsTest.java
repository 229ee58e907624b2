package pipeline.it;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS to Postgres switched on by configuration: with {@code verify-full} and the server's CA
 * certificate the changes stream over TLS into the lake, and a server the given CA did not sign is
 * refused; {@code require} against a server without TLS is reported DOWN instead of falling back
 * to plain text. Needs the openssl command (Debian's openssl package) to make the certificates.
 */
class PostgresTlsTest {

    @Test
    void withVerifyFullTheChangesStreamOverTls(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("server.key");
        Path certificate = dir.resolve("server.crt");
        selfSignedCertificate(key, certificate);
        Path otherCertificate = dir.resolve("other.crt");
        selfSignedCertificate(dir.resolve("other.key"), otherCertificate);
        int port = DevServers.freePort();
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPort(port).setServerConfig("wal_level", "logical").setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", certificate.toString()).setServerConfig("ssl_key_file", key.toString()).start()) {
            try (Connection connection = server.getPostgresDatabase().getConnection(); Statement sql = connection.createStatement()) {
                sql.execute(
                        "CREATE TABLE public.trip_tls (trip_id bigint PRIMARY KEY, vehicle_id text NOT NULL, started_at timestamptz NOT NULL)");
                sql.execute("INSERT INTO public.trip_tls VALUES (1, 'v-1', '2024-06-01 10:00+00')");
            }
            try (RunningPipeline pipeline = new RunningPipeline("trip_tls").with("pipeline.pg.host", "localhost")
                    .with("pipeline.pg.port", String.valueOf(port)).with("pipeline.pg.sslmode", "verify-full")
                    .with("pipeline.pg.sslrootcert", certificate.toString()).startRoutes()) {
                Lake lake = new Lake(pipeline.bucket, pipeline.table);
                await().alias("the row in the lake").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> !lake.objects("raw/public.trip_tls/").isEmpty());
                try (Connection connection = server.getPostgresDatabase().getConnection();
                        Statement sql = connection.createStatement();
                        ResultSet replication = sql.executeQuery("SELECT count(*), bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity "
                                + "USING (pid) WHERE backend_type = 'walsender'")) {
                    replication.next();
                    assertThat(replication.getLong(1)).as("Debezium's replication connection").isEqualTo(1);
                    assertThat(replication.getBoolean(2)).as("over TLS").isTrue();
                }
            }
            try (RunningPipeline pipeline = new RunningPipeline("trip_tls").with("pipeline.pg.host", "localhost")
                    .with("pipeline.pg.port", String.valueOf(port)).with("pipeline.pg.sslmode", "verify-full")
                    .with("pipeline.pg.sslrootcert", otherCertificate.toString()).startRoutes()) {
                HttpResponse<String> health = await().alias("a server the CA did not sign").atMost(Duration.ofSeconds(60))
                        .ignoreExceptions().until(() -> pipeline.get("/observe/health"),
                                response -> response.statusCode() == 503 && response.body().contains("cdc-to-kafka"));
                assertThat(health.body()).as("Debezium and the probe both verify the server").contains("\"postgres\"", "\"cdc-to-kafka\"");
            }
        }
    }

    private static void selfSignedCertificate(Path key, Path certificate) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", certificate.toString()).redirectErrorStream(true).start();
        openssl.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0).as("openssl made a certificate").isTrue();
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void requireAgainstAServerWithoutTlsIsReportedDown() throws Exception {
        CdcToLakeTest.createTable("trip_no_tls");
        try (RunningPipeline pipeline = new RunningPipeline("trip_no_tls").with("pipeline.pg.sslmode", "require").startRoutes()) {
            HttpResponse<String> health = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                    .until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503);
            assertThat(health.body()).contains("\"postgres\"", "does not support SSL");
        }
    }
}
