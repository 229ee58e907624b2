package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** --dev's servers: a start that fails half-way leaves none of them running. */
class DevServersTest {

    @Test
    void aStartThatFailsAfterPostgresStopsPostgresAgain() throws Exception {
        Path directory = Files.createTempDirectory("dev-servers");
        // Kafka cannot make its log directory where a file is: its start fails once Postgres runs
        Files.writeString(directory.resolve("kafka"), "not a directory");
        Path postmasterPid = directory.resolve("postgres").resolve("postmaster.pid");
        // Postgres stops without a hook of its own, as under --dev
        try {
            assertThatThrownBy(() -> DevServers.start(directory, false)).hasMessageContaining("kafka");
            // a stopped Postgres removes its pid file; one left running keeps it
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(postmasterPid));
        } finally {
            runningPostgres(postmasterPid).ifPresent(ProcessHandle::destroy);
        }
    }

    private static Optional<ProcessHandle> runningPostgres(Path postmasterPid) throws Exception {
        if (!Files.exists(postmasterPid)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim()));
    }
}
