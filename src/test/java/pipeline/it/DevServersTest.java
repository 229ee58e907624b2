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
        Path dataDirectory = directory.resolve("postgres");
        // Postgres stops without a hook of its own, as under --dev
        try {
            assertThatThrownBy(() -> DevServers.start(directory, false)).hasMessageContaining("kafka");
            // a stopped Postgres removes its pid file; one left running keeps it
            await().atMost(Duration.ofSeconds(30)).until(() -> postmasterPid(dataDirectory).isEmpty());
        } finally {
            postmasterPid(dataDirectory).flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroy);
        }
    }

    /** The pid on the first line of the lock file a Postgres keeps in its data directory while it runs. */
    static Optional<Long> postmasterPid(Path dataDirectory) throws java.io.IOException {
        Path lockFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(lockFile)) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(Files.readAllLines(lockFile).get(0).trim()));
    }
}
