package pipeline.it;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * Problems only the source database can reveal (a role without REPLICATION, a table that does not
 * exist) are not configuration errors at start-up: the pipeline keeps retrying, and health names
 * the failing route with the database's reason.
 */
class SourceProblemsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "role without REPLICATION  | no_replication | public.trip_problems | must be superuser or replication role",
            "table that does not exist | postgres       | public.no_such_trip  | table public.no_such_trip (pipeline.pg.tables) does not exist"})
    void healthNamesTheRouteAndTheDatabasesReason(String problem, String user, String tables, String reason) throws Exception {
        createTable("trip_problems");
        execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'no_replication') THEN "
                + "CREATE ROLE no_replication LOGIN PASSWORD 'x'; END IF; END $$");
        execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO no_replication");
        try (RunningPipeline pipeline = new RunningPipeline("trip_problems").with("pipeline.pg.user", user)
                .with("pipeline.pg.password", "x").with("pipeline.pg.tables", tables).with("pipeline.stats.table", tables).startRoutes()) {
            HttpResponse<String> health = await().alias(problem).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2))
                    .ignoreExceptions().until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503
                            && response.body().contains("cdc-to-kafka"));
            assertThat(health.body()).contains(reason);
        }
    }

    @Test
    void aServerWithoutLogicalDecodingIsReportedWithItsWalLevel() throws Exception {
        int port = DevServers.freePort();
        // a server as installed, wal_level = replica
        try (io.zonky.test.db.postgres.embedded.EmbeddedPostgres server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setPort(port).start()) {
            Database database = () -> server.getPostgresDatabase().getConnection();
            createTable(database, "trip_wal");
            try (RunningPipeline pipeline = new RunningPipeline("trip_wal").with("pipeline.pg.port", String.valueOf(port)).startRoutes()) {
                HttpResponse<String> health = await().alias("wal_level replica").atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofSeconds(2))
                        .ignoreExceptions().until(() -> pipeline.get("/observe/health"), response -> response.statusCode() == 503
                                && response.body().contains("cdc-to-kafka") && response.body().contains("\"postgres\""));
                assertThat(health.body()).contains("wal_level is replica on 127.0.0.1:" + port
                        + "; change data capture needs wal_level = logical");
            }
        }
    }
}
