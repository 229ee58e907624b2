package pipeline.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The first and the last screen of {@code --dev}, as a newcomer sees them: the banner and then only
 * the pipeline's lines (no SLF4J error, no configuration dump, no known noise), and a stop that takes
 * seconds, prints no exception and leaves no server running.
 */
@Tag("slow")
class DevModeTest {

    /** A log line of the pipeline's format: time, level, thread, logger, message, all on one line. */
    private static final Pattern LOG_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO |WARN |ERROR) \\[.*");

    @Test
    void theFirstScreenIsTheBannerAndMeaningfulLinesAndAStopTakesSeconds() throws Exception {
        Path directory = Files.createTempDirectory("dev-mode");
        ProcessBuilder builder = AppProcess.command("--dev").directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().put("PIPELINE_HTTP_PORT", String.valueOf(DevServers.freePort()));
        builder.environment().put("PIPELINE_HAWTIO_PORT", String.valueOf(DevServers.freePort()));
        Process dev = builder.start();
        StringBuilder printed = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (printed) {
                        printed.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException closedAtExit) {
                // the process is gone
            }
        });
        reader.start();
        try {
            await().alias("the banner").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> text(printed).contains("Stop with Ctrl-C."));
            // Debezium's snapshot and streaming start, the first statistics run and the lake writer's start come after the banner
            Thread.sleep(15_000);
            String firstScreen = text(printed);
            assertThat(firstScreen).doesNotContain("SLF4J").doesNotContain(" values:").doesNotContain("already mapped")
                    .doesNotContain("ERROR").doesNotContain("Exception");
            List<String> lines = firstScreen.lines().toList();
            int bannerStart = lines.indexOf("---------------------------------------------------------------------------");
            int bannerEnd = lines.lastIndexOf("---------------------------------------------------------------------------");
            assertThat(bannerEnd).isGreaterThan(bannerStart);
            for (int i = 0; i < lines.size(); i++) {
                if (i < bannerStart || i > bannerEnd) {
                    assertThat(lines.get(i)).as("line " + (i + 1) + " of the first screen").matches(LOG_LINE);
                }
            }
            assertThat(bannerStart).as("lines before the banner").isLessThan(30);

            // what the banner tells a user to paste into another shell runs a command on the same servers
            String export = lines.stream().filter(line -> line.startsWith("  export PIPELINE_")).findFirst().orElseThrow();
            String month = lines.stream().filter(line -> line.contains(" stats --month ")).findFirst().orElseThrow().replaceAll(".* ", "");
            ProcessBuilder stats = AppProcess.command("stats", "--month", month).redirectErrorStream(true);
            for (String variable : export.trim().substring("export ".length()).split(" ")) {
                stats.environment().put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
            }
            // the lake writer flushes once a minute here: the command need not wait for it
            stats.environment().put("PIPELINE_STATS_LAKE_WAIT", "1s");
            Process command = stats.start();
            assertThat(command.waitFor(60, TimeUnit.SECONDS)).as("stats --month ended").isTrue();
            String statsOutput = new String(command.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(command.exitValue()).as(statsOutput).isZero();
            assertThat(statsOutput.lines().toList()).singleElement().asString().startsWith("statistics for " + month + ": ");

            int shownBeforeStop = text(printed).length();
            // the embedded Postgres is a process of its own
            long postgresPid = DevServersTest.postmasterPid(directory.resolve("trip-pipeline-dev/postgres")).orElseThrow();
            assertThat(ProcessHandle.of(postgresPid)).as("Postgres running").hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
            long stopping = System.nanoTime();
            dev.toHandle().destroy();
            assertThat(dev.waitFor(30, TimeUnit.SECONDS)).as("stopped").isTrue();
            Duration took = Duration.ofNanos(System.nanoTime() - stopping);
            reader.join(10_000);
            System.out.printf("DevModeTest figures: %d lines before the banner, %d after it in 15 s, stop in %.1f s%n",
                    bannerStart, lines.size() - bannerEnd - 1, took.toMillis() / 1000.0);
            assertThat(took).as("a stop takes seconds").isLessThan(Duration.ofSeconds(15));
            assertThat(text(printed).substring(shownBeforeStop)).as("what --dev printed once told to stop")
                    .doesNotContain("Exception").doesNotContain("ERROR").doesNotContain(" WARN ").contains("Dev servers stopped");
            // pg_ctl returns once the server removed its lock file, a moment before the process ends
            await().alias("Postgres stopped with --dev").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> ProcessHandle.of(postgresPid).filter(ProcessHandle::isAlive).isEmpty());
        } finally {
            if (dev.isAlive()) {
                dev.destroyForcibly();
            }
            Lake.deleteRecursively(directory);
        }
    }

    private static String text(StringBuilder printed) {
        synchronized (printed) {
            return printed.toString();
        }
    }
}
