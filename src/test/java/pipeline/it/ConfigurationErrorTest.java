package pipeline.it;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
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
            "PIPELINE_LAKE_FLUSH_INTERVAL | soon            | pipeline.lake.flush-interval",
            "PIPELINE_LAKE_COMPACT_TARGET_SIZE | 10GB       | pipeline.lake.compact-target-size",
            "PIPELINE_HTTP_PORT           | 70000           | pipeline.http.port",
            "PIPELINE_HAWTIO_PORT         | -1              | pipeline.hawtio.port",
            "PIPELINE_PG_TABLES           | trip            | pipeline.pg.tables",
            "PIPELINE_PG_SLOT             | my-slot!        | pipeline.pg.slot",
            "PIPELINE_S3_BUCKET           | Trip_Lake       | pipeline.s3.bucket",
            "PIPELINE_STATS_SINCE         | 2024-13         | pipeline.stats.since",
            "PIPELINE_STATS_LAKE_WAIT     | forever         | pipeline.stats.lake-wait",
            "PIPELINE_STATS_RETRY_DELAY   | -1m             | pipeline.stats.retry-delay",
            "PIPELINE_STATS_TABLE         | trip            | pipeline.stats.table",
            "PIPELINE_STATS_TABLE         | public.trips    | pipeline.stats.table",
            "PIPELINE_HAWTIO_PASSWORD     | secret-only     | pipeline.hawtio.user",
            "PIPELINE_PG_SSLMODE          | on              | pipeline.pg.sslmode",
            "PIPELINE_KAFKA_SECURITY_PROTOCOL | TLS          | pipeline.kafka.security-protocol",
            "PIPELINE_KAFKA_COMPRESSION   | brotli          | pipeline.kafka.compression",
            "PIPELINE_KAFKA_SSL_TRUSTSTORE_LOCATION | /no/such/truststore.p12 | pipeline.kafka.ssl-truststore-location"})
    void aBadValueExitsNonZeroWithOneLineNamingTheKey(String variable, String value, String key) throws Exception {
        for (List<String> command : List.of(List.<String>of(), List.of("stats", "--month", "2024-01"))) {
            Process process = start(command, Map.of(variable, value));
            List<String> errors = errorLines(process);
            assertThat(process.exitValue()).as(command.toString()).isEqualTo(2);
            assertThat(errors).as(command.toString()).singleElement().asString()
                    .containsPattern("^trip-pipeline( stats)?: Invalid configuration " + java.util.regex.Pattern.quote(key) + "=");
            // no signal stopped it: the log must not say one did
            assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(command.toString())
                    .doesNotContain("SIGTERM");
        }
    }

    @Test
    void aManagementPortAnotherProcessListensOnExitsWithOneLineNamingTheKey() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Process process = start(List.of(), Map.of("PIPELINE_HTTP_PORT", String.valueOf(taken.getLocalPort())));
            List<String> errors = errorLines(process);
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(errors).singleElement().asString()
                    .startsWith("trip-pipeline: Invalid configuration pipeline.http.port=" + taken.getLocalPort() + ": the port is in use");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--month 2024-13 | --month 2024-13 is not a month in the form YYYY-MM",
            "--month         | usage: java -jar trip-pipeline.jar stats --month YYYY-MM",
            "--week 2024-01  | usage: java -jar trip-pipeline.jar stats --month YYYY-MM"})
    void statsRefusesABadMonthWithOneLine(String arguments, String message) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("stats"));
        command.addAll(List.of(arguments.split(" ")));
        assertRefusedWithOneLine(command, "trip-pipeline stats: " + message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                                               | usage: java -jar trip-pipeline.jar snapshot --table schema.table [--as-of 2026-11-30T12:00:00Z]",
            "--table                                        | usage: java -jar trip-pipeline.jar snapshot --table schema.table [--as-of 2026-11-30T12:00:00Z]",
            "--table public.trip --as-of yesterday          | --as-of yesterday is not an ISO-8601 instant such as 2026-11-30T12:00:00Z",
            "--table public.trip --at 2026-11-30T12:00:00Z  | unknown option '--at'; usage: java -jar trip-pipeline.jar snapshot --table schema.table [--as-of 2026-11-30T12:00:00Z]",
            "--table public.other                           | public.other is not one of the captured tables (pipeline.pg.tables=public.trip)"})
    void snapshotRefusesBadArgumentsWithOneLine(String arguments, String message) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("snapshot"));
        if (arguments != null) {
            command.addAll(List.of(arguments.split(" ")));
        }
        assertRefusedWithOneLine(command, "trip-pipeline snapshot: " + message);
    }

    @Test
    void helpPrintsThisProgramsUsage() throws Exception {
        Process process = start(List.of("--help"), Map.of());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
        String usage = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).isZero();
        assertThat(usage).contains("java -jar trip-pipeline.jar --dev", "stats --month YYYY-MM", "snapshot --table schema.table [--as-of",
                "PIPELINE_PG_HOST", "pipeline.kafka.brokers",
                "README.md").doesNotContain("Apache Camel");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "snapshots --table public.trip | snapshots",
            "--verbose                     | --verbose",
            "--dev --verbose               | --verbose",
            "stat --month 2024-01          | stat"})
    void anUnknownCommandOrOptionExitsWithOneLineNamingIt(String arguments, String named) throws Exception {
        assertRefusedWithOneLine(List.of(arguments.split(" ")),
                "trip-pipeline: unknown command or option '" + named + "' (java -jar trip-pipeline.jar --help lists them)");
    }

    /** Exit status 2 and exactly {@code line} on standard error. */
    private static void assertRefusedWithOneLine(List<String> arguments, String line) throws Exception {
        Process process = start(arguments, Map.of());
        List<String> errors = errorLines(process);
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(errors).containsExactly(line);
    }

    private static Process start(List<String> arguments, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = AppProcess.command(arguments.toArray(String[]::new));
        builder.environment().putAll(environment);
        return builder.start();
    }

    private static List<String> errorLines(Process process) throws Exception {
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
