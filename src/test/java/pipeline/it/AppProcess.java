package pipeline.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The application as its own operating-system process, as users run it, with everything it prints kept. */
final class AppProcess implements AutoCloseable {

    /** The JVM's exit status after SIGTERM once its shutdown hooks, Camel's graceful stop among them, have run (128 + 15). */
    static final int STOPPED_BY_SIGTERM = 143;

    private final Process process;
    private final StringBuilder printed = new StringBuilder();
    private final Thread reader;

    private AppProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::keepOutput, "app-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code java -cp <the tests' class path> routes.App arguments}, to configure and start. */
    static ProcessBuilder command(String... arguments) {
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-cp",
                System.getProperty("java.class.path"), "routes.App"));
        command.addAll(List.of(arguments));
        return new ProcessBuilder(command);
    }

    /** Starts {@code routes.App} with {@code pipeline}'s configuration. */
    static AppProcess start(RunningPipeline pipeline, String... arguments) throws IOException {
        return new AppProcess(pipeline.process(arguments));
    }

    /** Keeps what the app prints and echoes it to the test's output, where surefire's report shows it next to the failure. */
    private void keepOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                synchronized (printed) {
                    printed.append(line).append('\n');
                }
                System.out.println("[app " + process.pid() + "] " + line);
            }
        } catch (IOException closedAtExit) {
            // the process is gone: what it printed is kept
        }
    }

    /** Everything printed so far. */
    String output() {
        synchronized (printed) {
            return printed.toString();
        }
    }

    /** Waits until the output contains {@code text}, printed after the first {@code skip} characters. */
    void awaitOutput(String text, int skip, Duration atMost) {
        await().alias("the app prints '" + text + "'").atMost(atMost).pollInterval(Duration.ofMillis(100))
                .until(() -> output().indexOf(text, skip) >= 0);
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut or the OOM killer. */
    void kill() {
        process.destroyForcibly();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM, as Ctrl-C or a container stop sends; returns the exit code. Through the process handle,
     * because {@code Process.destroy()} also closes the pipes, losing all the app prints while it stops.
     */
    int stop(Duration atMost) throws InterruptedException {
        process.toHandle().destroy();
        return exitCode(atMost);
    }

    /** Waits for the process to end by itself; returns the exit code. */
    int exitCode(Duration atMost) throws InterruptedException {
        assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)).as("ended within " + atMost).isTrue();
        reader.join(10_000);
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
