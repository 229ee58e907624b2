package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A started system: its JVM, the log it writes, and the turn it runs for. */
final class RunningSystem implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final Turn turn;
    private final long startedNanos = System.nanoTime();
    /** Stops the system when the driver itself is stopped (Ctrl-C, or bench/run.sh cleaning up after a failure). */
    private final Thread stopWithDriver;

    RunningSystem(Process process, Path log, Turn turn) {
        this.process = process;
        this.log = log;
        this.turn = turn;
        stopWithDriver = new Thread(this::stop, "stop-" + turn.id());
        Runtime.getRuntime().addShutdownHook(stopWithDriver);
    }

    long pid() {
        return process.pid();
    }

    Turn turn() {
        return turn;
    }

    long startedNanos() {
        return startedNanos;
    }

    /** Fails with the end of the log when the JVM has exited: waiting on a dead system would only time out. */
    void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    turn.system() + " exited with code " + process.exitValue() + "; end of " + log + ":\n" + logTail());
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * SIGTERM and wait, as an operator stops either system; both stop gracefully on it. Only a
     * JVM still running after a minute is killed.
     */
    @Override
    public void close() {
        stop();
        Runtime.getRuntime().removeShutdownHook(stopWithDriver);
    }

    private void stop() {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                System.out.println(turn.system() + " did not stop within 60 s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
