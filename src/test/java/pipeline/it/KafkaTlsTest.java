package pipeline.it;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * TLS to Kafka switched on by configuration: against a broker that only speaks TLS to clients, the
 * routes, Debezium's offset store and the health probe connect with the configured trust store and
 * the changes reach the lake; its password is never printed; a trust store of another CA is refused.
 */
class KafkaTlsTest {

    private static final String STORE_PASSWORD = "store-Secret-51b7e0";

    @Test
    void withSslTheChangesGoThroughATlsOnlyBroker(@TempDir Path dir) throws Exception {
        Path brokerKeys = certificateAuthority(dir, "broker");
        Path trusted = trustStore(dir, "broker");
        certificateAuthority(dir, "other");
        Path untrusted = trustStore(dir, "other");
        int tlsPort = DevServers.freePort();
        int internalPort = DevServers.freePort();
        int controllerPort = DevServers.freePort();
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), internalPort, controllerPort, Map.of(
                "listeners",
                "SSL://127.0.0.1:" + tlsPort + ",PLAINTEXT://127.0.0.1:" + internalPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners", "SSL://localhost:" + tlsPort + ",PLAINTEXT://127.0.0.1:" + internalPort,
                "listener.security.protocol.map", "SSL:SSL,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "ssl.keystore.location", brokerKeys.toString(),
                "ssl.keystore.password", STORE_PASSWORD,
                "ssl.keystore.type", "PKCS12"));
        String name = "trip_kafka_tls";
        createTable(name);
        try (RunningPipeline pipeline = new RunningPipeline(name).with("pipeline.kafka.brokers", "localhost:" + tlsPort)
                .with("pipeline.kafka.security-protocol", "SSL")
                .with("pipeline.kafka.ssl-truststore-location", trusted.toString())
                .with("pipeline.kafka.ssl-truststore-password", STORE_PASSWORD)) {
            try (AppProcess app = AppProcess.start(pipeline)) {
                pipeline.awaitStreaming();
                execute("INSERT INTO public.trip_kafka_tls (trip_id, vehicle_id, started_at) VALUES (1, 'v-1', '2024-11-01 10:00+00')");
                awaitLakeEqualsTable(new Lake(pipeline.bucket, pipeline.table), name);
                await().alias("health UP").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> pipeline.get("/observe/health").statusCode() == 200);
                app.stop(Duration.ofSeconds(60));
                // the broker speaks only TLS to clients: the change in the lake went through it
                assertThat(app.output()).as("the app's output").doesNotContain(STORE_PASSWORD);
            }

            pipeline.with("pipeline.kafka.ssl-truststore-location", untrusted.toString()).startRoutes();
            HttpResponse<String> health = await().alias("a broker the trust store does not know").atMost(Duration.ofSeconds(60))
                    .ignoreExceptions().until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503);
            assertThat(health.body()).contains("\"name\":\"kafka\",\"status\":\"DOWN\"");
        } finally {
            kafka.close();
        }
    }

    /** A key pair with a self-signed certificate for localhost, in a PKCS12 key store. */
    private static Path certificateAuthority(Path dir, String name) throws Exception {
        Path keys = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass",
                STORE_PASSWORD);
        keytool("-exportcert", "-alias", name, "-keystore", keys.toString(), "-storepass", STORE_PASSWORD,
                "-file", dir.resolve(name + ".crt").toString());
        return keys;
    }

    /** A trust store holding only the certificate made by {@link #certificateAuthority}. */
    private static Path trustStore(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + "-trust.p12");
        keytool("-importcert", "-noprompt", "-alias", name, "-file", dir.resolve(name + ".crt").toString(),
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD);
        return store;
    }

    private static void keytool(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(arguments));
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
    }
}
