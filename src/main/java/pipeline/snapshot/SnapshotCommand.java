package pipeline.snapshot;

import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

import pipeline.config.ConfigurationException;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;
import pipeline.config.S3Clients;
import pipeline.config.SourceDatabase;
import pipeline.stats.LakeCatchUp;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code snapshot --table schema.table [--as-of INSTANT]}: writes the table as it was then from the lake, prints one line, exits. */
public final class SnapshotCommand {

    private static final String USAGE = "usage: java -jar trip-pipeline.jar snapshot --table schema.table [--as-of 2026-11-30T12:00:00Z]";
    private static final int DATABASE_TIMEOUT_SECONDS = 10;
    // the share of the heap the kept versions may take, as for the statistics
    private static final double HEAP_BUDGET = 0.6;

    private SnapshotCommand() {
    }

    private record Arguments(String table, Instant asOf) {
    }

    /** Returns the process exit code: 0 done, 2 bad arguments or configuration, 1 any other failure. */
    public static int run(List<String> args) {
        Arguments arguments;
        PipelineSettings settings;
        try {
            arguments = parse(args);
            settings = PipelineSettings.load();
        } catch (IllegalArgumentException | ConfigurationException e) {
            System.err.println("trip-pipeline snapshot: " + e.getMessage());
            return 2;
        }
        if (!settings.pg.tables.contains(arguments.table())) {
            System.err.println("trip-pipeline snapshot: " + arguments.table() + " is not one of the captured tables (pipeline.pg.tables="
                    + String.join(",", settings.pg.tables) + ")");
            return 2;
        }
        try (S3Client s3 = S3Clients.create(settings)) {
            List<String> key = keyColumns(settings, arguments.table());
            // as the statistics do: changes already in Kafka are given pipeline.stats.lake-wait to reach the lake
            LakeCatchUp.Outcome lake = LakeCatchUp.awaitOutcome(settings, arguments.table());
            long budget = (long) (Runtime.getRuntime().maxMemory() * HEAP_BUDGET);
            // what the table will be is not in the lake yet: the line says that this is the table as of now
            String future = arguments.asOf().isAfter(Instant.now())
                    ? " (an instant still to come: changes made until then are not in it)"
                    : "";
            System.out.println(
                    new TableSnapshot(s3, settings.s3.bucket, budget).write(arguments.table(), key, arguments.asOf()) + lake.remark()
                            + future);
            return 0;
        } catch (Exception e) {
            System.err.println(
                    "trip-pipeline snapshot: " + arguments.table() + " as of " + arguments.asOf() + " failed: " + RootCause.describe(e));
            return 1;
        }
    }

    /** The primary key as the source declares it; the statistics' key column when the source no longer knows the table. */
    private static List<String> keyColumns(PipelineSettings settings, String table) {
        List<String> key;
        try {
            key = SourceDatabase.primaryKey(settings, table, DATABASE_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            // the driver's own message, which says where it tried, after the step that failed
            throw new IllegalStateException("the source database could not tell " + table + "'s primary key: " + e.getMessage());
        }
        if (!key.isEmpty()) {
            return key;
        }
        if (table.equals(settings.stats.table)) {
            return List.of(settings.stats.keyColumn);
        }
        throw new IllegalStateException("the source database has no primary key for " + table + ", which the lake's versions are keyed by");
    }

    private static Arguments parse(List<String> args) {
        String table = null;
        Instant asOf = Instant.now();
        for (int i = 0; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(USAGE);
            }
            String value = args.get(i + 1);
            switch (args.get(i)) {
                case "--table" -> table = value;
                case "--as-of" -> asOf = instant(value);
                default -> throw new IllegalArgumentException("unknown option '" + args.get(i) + "'; " + USAGE);
            }
        }
        if (table == null || !table.matches("[^.\\s]+\\.[^.\\s]+")) {
            throw new IllegalArgumentException(USAGE);
        }
        return new Arguments(table, asOf);
    }

    private static Instant instant(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--as-of " + value + " is not an ISO-8601 instant such as 2026-11-30T12:00:00Z");
        }
    }
}
