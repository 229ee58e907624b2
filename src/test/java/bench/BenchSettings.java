package bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one side-by-side run is pointed at and how large it is, from the {@code key=value} arguments
 * bench/run.sh passes.
 */
record BenchSettings(
        String jdbcUrl,
        String kafkaBrokers,
        String s3Endpoint,
        Path s3Directory,
        Path pipelineJar,
        String peerClasspath,
        Path workDirectory,
        Path logDirectory,
        int rows,
        int rounds,
        int mixedChanges,
        int latencySeconds,
        Path reportFile,
        boolean record,
        String commandLine,
        List<String> pipelineJavaOptions,
        List<String> peerJavaOptions) {

    static BenchSettings parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            int equals = arg.indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException("expected key=value, got " + arg);
            }
            values.put(arg.substring(0, equals), arg.substring(equals + 1));
        }
        return new BenchSettings(
                required(values, "jdbc-url"),
                required(values, "kafka"),
                required(values, "s3-endpoint"),
                Path.of(required(values, "s3-dir")),
                Path.of(required(values, "pipeline-jar")),
                required(values, "peer-classpath"),
                Path.of(required(values, "work-dir")),
                Path.of(required(values, "log-dir")),
                positive(values, "rows"),
                positive(values, "rounds"),
                Integer.parseInt(required(values, "mixed")),
                positive(values, "latency-seconds"),
                Path.of(required(values, "report")),
                Boolean.parseBoolean(required(values, "record")),
                required(values, "command"),
                options(values.getOrDefault("pipeline-java-options", "")),
                options(values.getOrDefault("peer-java-options", "")));
    }

    /** JVM options for one system's turns, e.g. a flight recording; a run with any is never recorded. */
    private static List<String> options(String spaceSeparated) {
        return spaceSeparated.isBlank() ? List.of() : List.of(spaceSeparated.trim().split("\\s+"));
    }

    private static String required(Map<String, String> values, String key) {
        String value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing argument " + key + "=...");
        }
        return value;
    }

    private static int positive(Map<String, String> values, String key) {
        int value = Integer.parseInt(required(values, key));
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }
}
