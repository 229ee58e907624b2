package pipeline.config;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A misspelt override is reported with the settings it may have meant; a correct one is not. */
class UnknownSettingsTest {

    private final UnknownSettings documented = UnknownSettings.documented();

    @Test
    void everyDocumentedSettingIsKnownUnderBothItsNames() {
        Properties defaults = new Properties();
        defaults.setProperty("pipeline.lake.flush-interval", "5s");
        defaults.setProperty("pipeline.s3.secret-key", "x");
        defaults.setProperty("pipeline.hawtio.host", "0.0.0.0");

        assertThat(documented
                .find(Map.of("PIPELINE_LAKE_FLUSH_INTERVAL", "5s", "PIPELINE_PG_HOST", "db", "PIPELINE_STATS_KEEP_DELETED_AFTER", "30d",
                        "PATH", "/usr/bin", "KAFKA_HEAP_OPTS", "-Xmx1g"), defaults))
                .isEmpty();
    }

    @Test
    void aMisspeltVariableIsNamedWithTheSettingsOfItsGroup() {
        assertThat(documented.find(Map.of("PIPELINE_LAKE_FLUSH_INTERVALL", "5s"), new Properties()))
                .containsExactly("environment variable PIPELINE_LAKE_FLUSH_INTERVALL matches no setting and is ignored; the pipeline.lake.*"
                        + " settings are compact-after, compact-grace, compact-interval, compact-target-size, flush-interval, flush-max-records");
    }

    @Test
    void aMisspeltSystemPropertyAndAnUnknownGroupAreNamedToo() {
        Properties system = new Properties();
        system.setProperty("pipeline.pg.hostname", "db");

        assertThat(documented.find(Map.of("PIPELINE_WORKSPACE", "/agent/_work/1"), system)).containsExactly(
                "environment variable PIPELINE_WORKSPACE matches no setting and is ignored (README.md lists every setting)",
                "system property pipeline.pg.hostname matches no setting and is ignored; the pipeline.pg.* settings are database, host, password,"
                        + " port, publication, slot, sslmode, sslrootcert, tables, user");
    }

    @Test
    void theKnownSettingsAreTheDocumentedOnesOnly() {
        UnknownSettings two = new UnknownSettings(Set.of("pipeline.a.b", "pipeline.a.c-d"));

        assertThat(two.find(Map.of("PIPELINE_A_C_D", "1", "PIPELINE_A_E", "2"), new Properties()))
                .containsExactly(
                        "environment variable PIPELINE_A_E matches no setting and is ignored; the pipeline.a.* settings are b, c-d");
    }
}
