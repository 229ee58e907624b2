package pipeline.it;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad setting, given the way operators give it (an environment variable), stops start-up with one line naming the key. */
class ConfigurationErrorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "PIPELINE_TIMEZONE            | Mars/Phobos     | pipeline.timezone",
            "PIPELINE_STATS_CRON          | every full moon | pipeline.stats.cron",
            "PIPELINE_PG_PORT             | five-four-three | pipeline.pg.port",
            "PIPELINE_S3_BUCKET           | ' '             | pipeline.s3.bucket",
            "PIPELINE_LAKE_FLUSH_MAX_RECORDS | -5           | pipeline.lake.flush-max-records",
            "PIPELINE_LAKE_FLUSH_INTERVAL | soon            | pipeline.lake.flush-interval"})
    void aBadValueExitsNonZeroWithOneLineNamingTheKey(String variable, String value, String key) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
                "-cp", System.getProperty("java.class.path"), "routes.App");
        builder.environment().put(variable, value);
        builder.redirectErrorStream(false);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
        List<String> errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();

        assertThat(process.exitValue()).isNotZero();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("trip-pipeline: Invalid configuration " + key + "=");
    }
}
