package pipeline.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static pipeline.it.CdcToLakeTest.COLUMNS_LAKE;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;
import static pipeline.it.CdcToLakeTest.tableRows;

/**
 * Contract section 8: {@code snapshot --table T --as-of INSTANT} rebuilds the table as it was from the
 * lake, after the source changed it, deleted rows and cleaned up old ones; without {@code --as-of} it
 * is the table now. Both are compared with the source column by column.
 */
class SnapshotTest {

    @Test
    void aSnapshotAsOfAnInstantEqualsTheTableThenAndWithoutAsOfTheTableNow() throws Exception {
        String name = "trip_snapshot";
        createTable(name);
        execute("DROP TABLE IF EXISTS public.trip_snapshot_then");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            execute("INSERT INTO public.trip_snapshot SELECT id, 'v-' || id % 13, timestamptz '2024-03-01 00:00+00' + id * interval '37 minutes', "
                    + "NULL, timestamp '2024-03-01 08:00' + id * interval '1 hour', id * 1.25, date '2024-03-01' + id % 20, id % 5, id / 7.0, "
                    + "id % 2 = 0, 'trip ' || id FROM generate_series(1, 300) id");
            execute("UPDATE public.trip_snapshot SET ended_at = started_at + interval '25 minutes', distance_km = distance_km + 0.5 WHERE trip_id % 3 = 0");
            execute("DELETE FROM public.trip_snapshot WHERE trip_id % 10 = 7");
            awaitLakeEqualsTable(lake, name);

            // commit times are kept to the millisecond: the instant falls between two changes, a second from each
            Thread.sleep(1_100);
            execute("CREATE TABLE public.trip_snapshot_then AS SELECT * FROM public.trip_snapshot");
            Instant asOf = now();
            Thread.sleep(1_100);

            execute("UPDATE public.trip_snapshot SET vehicle_id = 'moved', note = NULL, paid = NOT paid WHERE trip_id % 4 = 0");
            execute("DELETE FROM public.trip_snapshot WHERE trip_id % 10 = 3");
            // the source's clean-up of old trips: the history keeps them
            execute("DELETE FROM public.trip_snapshot WHERE started_at < timestamptz '2024-03-02 12:00+00'");
            execute("INSERT INTO public.trip_snapshot (trip_id, vehicle_id, started_at) SELECT id, 'late', now() FROM generate_series(1001, 1020) id");
            awaitLakeEqualsTable(lake, name);

            String printed = snapshot(pipeline, "--table", pipeline.table, "--as-of", asOf.toString());
            assertThat(printed).startsWith("snapshot of public.trip_snapshot as of " + asOf + ": ");
            List<List<String>> then = tableRows(SharedServers::postgres, "trip_snapshot_then");
            assertThat(then).hasSizeGreaterThan(200);
            assertThat(snapshotRows(lake, asOf)).as("the snapshot as of " + asOf).isEqualTo(then);
            assertThat(lake.queryFiles(snapshotPrefix(asOf), "SELECT * FROM {files} LIMIT 1").get(0))
                    .as("columns: the table's own").hasSize(11);

            snapshot(pipeline, "--table", pipeline.table);
            List<String> snapshots = lake.objects("snapshots/public.trip_snapshot/").stream()
                    .filter(key -> key.endsWith("_SUCCESS")).sorted().toList();
            assertThat(snapshots).hasSize(2);
            String latestPrefix = snapshots.get(1).substring(0, snapshots.get(1).length() - "_SUCCESS".length());
            assertThat(lake.queryFiles(latestPrefix, "SELECT " + COLUMNS_LAKE + " FROM {files} ORDER BY trip_id"))
                    .as("the snapshot without --as-of").isEqualTo(tableRows(SharedServers::postgres, name));

            // an instant still to come: the table as the lake holds it now, and the line says so
            Instant future = Instant.parse("2999-01-01T00:00:00Z");
            assertThat(snapshot(pipeline, "--table", pipeline.table, "--as-of", future.toString()))
                    .endsWith(" (an instant still to come: changes made until then are not in it)");
            assertThat(snapshotRows(lake, future)).as("the snapshot as of " + future).isEqualTo(tableRows(SharedServers::postgres, name));
        }
    }

    @Test
    void withTheSourceDatabaseUnreachableItExitsOneWithOneLineSayingWhereItTried() throws Exception {
        int nothingListens = pipeline.dev.DevServers.freePort();
        RunningPipeline unreachable = new RunningPipeline("trip_snapshot_unreachable").with("pipeline.pg.port",
                String.valueOf(nothingListens));
        AppProcess snapshot = AppProcess.start(unreachable, "snapshot", "--table", unreachable.table);
        assertThat(snapshot.exitCode(Duration.ofMinutes(1))).as(snapshot.output()).isEqualTo(1);
        assertThat(snapshot.output().lines().toList()).singleElement().asString()
                .startsWith("trip-pipeline snapshot: " + unreachable.table + " as of ")
                .contains("the source database could not tell " + unreachable.table + "'s primary key")
                .contains(":" + nothingListens + " refused");
    }

    private static String snapshot(RunningPipeline pipeline, String... arguments) throws Exception {
        String[] command = new String[arguments.length + 1];
        command[0] = "snapshot";
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        AppProcess snapshot = AppProcess.start(pipeline, command);
        assertThat(snapshot.exitCode(Duration.ofMinutes(2))).as(snapshot.output()).isZero();
        List<String> lines = snapshot.output().lines().toList();
        assertThat(lines).as("what the command printed").hasSize(1);
        return lines.get(0);
    }

    private static List<List<String>> snapshotRows(Lake lake, Instant asOf) throws Exception {
        return lake.queryFiles(snapshotPrefix(asOf), "SELECT " + COLUMNS_LAKE + " FROM {files} ORDER BY trip_id");
    }

    private static String snapshotPrefix(Instant asOf) {
        return pipeline.snapshot.TableSnapshot.prefix("public.trip_snapshot", asOf);
    }

    private static Instant now() throws Exception {
        try (Connection pg = SharedServers.postgres();
                Statement statement = pg.createStatement();
                ResultSet now = statement.executeQuery("SELECT clock_timestamp()")) {
            now.next();
            return now.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
    }
}
