package pipeline.it;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A second {@code --dev} in the directory of a running one is refused before it touches anything: it
 * used to empty the directory, pulling the running servers' data from under them.
 */
class DevModeTwiceTest {

    @Test
    void aSecondDevInTheSameDirectoryIsRefusedAndLeavesTheFirstOnesDataAlone() throws Exception {
        Path directory = Files.createTempDirectory("dev-twice");
        Path devDirectory = Files.createDirectories(directory.resolve("trip-pipeline-dev"));
        Path runningServersData = Files.writeString(devDirectory.resolve("postgres-data"), "in use");
        // the running --dev is another process: the lock it holds is one the OS keeps for it
        try (FileChannel lockFile = FileChannel.open(devDirectory.resolve("dev.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lockFile.lock()) {
            Process second = AppProcess.command("--dev").directory(directory.toFile()).start();
            try {
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second --dev exits by itself").isTrue();
                String errors = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

                assertThat(second.exitValue()).as(errors).isEqualTo(1);
                assertThat(errors.lines().toList())
                        .containsExactly("trip-pipeline: start-up failed: IllegalStateException: another --dev runs in "
                                + devDirectory.toRealPath() + ": stop it, or start this one from another directory");
                assertThat(runningServersData).hasContent("in use");
            } finally {
                // refused or not, it must not outlive the test with servers of its own
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            Lake.deleteRecursively(directory);
        }
    }
}
