package pipeline.config;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped defaults are valid; each bad value is refused with its key named. */
public class PipelineSettingsTest {

    @Test
    void theShippedDefaultsAreTheContractsDefaults() throws IOException {
        PipelineSettings settings = new PipelineSettings(defaults()::get);
        assertThat(settings.pg.tables).containsExactly("public.trip");
        assertThat(settings.kafka.changeTopic("public.trip")).isEqualTo("cdc.public.trip");
        assertThat(settings.kafka.deadLetterTopic()).isEqualTo("cdc.dlq");
        assertThat(settings.lake.flushMaxRecords).isEqualTo(50_000);
        assertThat(settings.lake.flushInterval).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.stats.lakeWait).isEqualTo(Duration.ofMinutes(10));
        assertThat(settings.timezone).isEqualTo(ZoneId.of("UTC"));
        assertThat(settings.s3.endpoint).isEmpty();
        assertThat(settings.stats.since).isNull();
        assertThat(List.of(settings.pg.port, settings.console.httpPort, settings.console.hawtioPort)).containsExactly(5432, 8080, 8090);
        assertThat(settings.lake.compactAfter).isEqualTo(Duration.ofDays(2));
        assertThat(settings.lake.compactTargetSize).isEqualTo(256L << 20);
        assertThat(settings.lake.compactInterval).isEqualTo(Duration.ofHours(1));
        assertThat(settings.lake.compactGrace).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void compactionIsOffWithZeroAndTakesSizesInBinaryUnits() throws IOException {
        Map<String, String> properties = defaults();
        properties.put("pipeline.lake.compact-after", "0");
        properties.put("pipeline.lake.compact-target-size", "1GB");
        PipelineSettings settings = new PipelineSettings(properties::get);
        assertThat(settings.lake.compactAfter).isZero();
        assertThat(settings.lake.compactTargetSize).isEqualTo(1L << 30);
    }

    @Test
    void kafkaClientsGetTlsAndSaslOnlyWhenTheyAreSet() throws IOException {
        Map<String, String> properties = defaults();
        properties.put("pipeline.kafka.brokers", "broker-1:9093,broker-2:9093");
        assertThat(new PipelineSettings(properties::get).kafka.clientProperties(Map.of("group.id", "lake")))
                .containsOnly(Map.entry("bootstrap.servers", "broker-1:9093,broker-2:9093"),
                        Map.entry("security.protocol", "PLAINTEXT"), Map.entry("group.id", "lake"));

        properties.put("pipeline.kafka.security-protocol", "SASL_SSL");
        properties.put("pipeline.kafka.sasl-mechanism", "PLAIN");
        properties.put("pipeline.kafka.sasl-jaas-config", "org.apache.kafka.common.security.plain.PlainLoginModule required;");
        properties.put("pipeline.kafka.ssl-truststore-password", "changeit");
        assertThat(new PipelineSettings(properties::get).kafka.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required;")
                .containsEntry("ssl.truststore.password", "changeit")
                .doesNotContainKeys("ssl.truststore.location", "ssl.keystore.location", "ssl.keystore.password");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "pipeline.timezone               | Mars/Phobos",
            "pipeline.stats.cron             | every day",
            "pipeline.pg.port                | abc",
            "pipeline.http.port              | 70000",
            "pipeline.lake.flush-max-records | -1",
            "pipeline.lake.flush-interval    | 10 minutes",
            "pipeline.stats.since            | 2024-13",
            "pipeline.pg.tables              | trip",
            "pipeline.s3.bucket              | ''",
            "pipeline.s3.bucket              | Trip_Lake",
            "pipeline.pg.slot                | my-slot",
            "pipeline.s3.access-key          | AKIA123",
            "pipeline.lake.compact-after     | two days",
            "pipeline.lake.compact-target-size | 256 megabytes",
            "pipeline.lake.compact-target-size | 10GB",
            "pipeline.lake.compact-target-size | 512KB",
            "pipeline.lake.compact-interval  | 0"})
    void refusesABadValueNamingItsKey(String key, String value) throws IOException {
        Map<String, String> properties = defaults();
        properties.put(key, value);
        assertThatThrownBy(() -> new PipelineSettings(properties::get))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("Invalid configuration " + key + "=");
    }

    @Test
    void startupFailureFindsTheConfigurationErrorInsideWrappers() {
        ConfigurationException cause = new ConfigurationException("pipeline.timezone", "X", "unknown time zone");
        RuntimeException wrapped = new RuntimeException("post processing failed", new IllegalStateException(cause));
        assertThat(StartupFailure.isConfiguration(wrapped)).isTrue();
        assertThat(StartupFailure.describe(wrapped)).isEqualTo("Invalid configuration pipeline.timezone=X: unknown time zone");
        assertThat(StartupFailure.describe(new RuntimeException("outer", new IllegalStateException("bucket name rejected"))))
                .isEqualTo("start-up failed: IllegalStateException: bucket name rejected");
    }

    /** The shipped defaults, as application.properties gives them. */
    public static Map<String, String> defaults() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = PipelineSettingsTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        Map<String, String> values = new HashMap<>();
        properties.stringPropertyNames().forEach(name -> values.put(name, properties.getProperty(name).trim()));
        return values;
    }
}
