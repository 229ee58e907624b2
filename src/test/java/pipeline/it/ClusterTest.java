package pipeline.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pipeline.dev.DevServers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.StatisticsDefinitionTest.assertEqualToContract;
import static pipeline.it.StatisticsDefinitionTest.contractRows;

/**
 * Contract section 7: instances started with the same configuration, only their ports differing, form
 * one pipeline. Three processes share three change-topic partitions while changes stream in; the
 * leader is killed and another takes over; a fourth joins and the new leader stops gracefully.
 * Afterwards every change is in the lake and the month the statistics fire for equals the SQL,
 * published once per firing.
 */
@Tag("slow")
class ClusterTest {

    private static final Pattern FIRING = Pattern.compile("Monthly statistics published for the firing of (.+?): ");
    private static final Pattern PUBLICATION = Pattern.compile("StatisticsJob - statistics for (\\d{4}-\\d{2}): .*?, revision (\\d+) \\(");

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<AppProcess, Integer> ports = new HashMap<>();

    @Test
    void theInstancesShareTheLakeAndAnotherLeadsWhenTheLeaderIsKilledOrStopped() throws Exception {
        String name = "trip_cluster";
        createTable(name);
        YearMonth month = YearMonth.now(ZoneOffset.UTC).minusMonths(1);
        RunningPipeline pipeline = new RunningPipeline(name)
                .with("pipeline.kafka.partitions", "3")
                .with("pipeline.lake.flush-interval", "2s")
                // a run reads the month's thousands of small files: firings further apart leave the two cores to the failover
                .with("pipeline.stats.cron", "0/30 * * * * ?");
        List<AppProcess> apps = new ArrayList<>();
        try (pipeline) {
            for (int i = 0; i < 3; i++) {
                apps.add(start(pipeline));
            }
            AppProcess leader = awaitOneLeader(apps);
            for (AppProcess app : apps) {
                HttpResponse<String> health = get(app, "/observe/health?exposureLevel=full");
                assertThat(health.statusCode()).as("health of " + app + ": " + health.body()).isEqualTo(200);
                assertThat(health.body()).as("health of " + app).containsPattern(
                        "\"name\":\"leadership\",\"status\":\"UP\",\"message\":\"" + (app == leader ? "leader" : "standby") + "\"");
            }

            ChangeStream stream = new ChangeStream(SharedServers::postgres, pipeline.table, 100, 7,
                    month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                    month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
            CompletableFuture<Void> writing = stream.start(15_000);
            for (AppProcess app : apps) {
                await().alias(app + " writes lake files").atMost(Duration.ofSeconds(90)).ignoreExceptions()
                        .until(() -> metric(app, "pipeline_parquet_files_written_total") > 0);
            }
            leader.awaitOutput("Monthly statistics published", 0, Duration.ofSeconds(60));

            long killedAt = System.nanoTime();
            leader.kill();
            apps.remove(leader);
            long lastTripBeforeKill = lastTrip(pipeline);
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            AppProcess newLeader = awaitOneLeader(apps);
            double electedAfter = (System.nanoTime() - killedAt) / 1e9;
            await().alias("a change made after the kill in the lake").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !lake.query("SELECT 1 FROM {events} WHERE trip_id > " + lastTripBeforeKill).isEmpty());
            double flowingAfter = (System.nanoTime() - killedAt) / 1e9;
            assertThat(newLeader.output()).contains("this instance took the leader lock, freed when instance");

            AppProcess fourth = start(pipeline);
            apps.add(fourth);
            fourth.awaitOutput("Lake writer reads [", 0, Duration.ofSeconds(90));
            assertThat(newLeader.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isEqualTo(AppProcess.STOPPED_BY_SIGTERM);
            apps.remove(newLeader);
            AppProcess lastLeader = awaitOneLeader(apps);

            writing.get(5, TimeUnit.MINUTES);
            awaitLakeEqualsTable(lake, name);
            stream.assertEveryChangeIn(lake);
            // the next firing publishes after the last change
            int printed = lastLeader.output().length();
            lastLeader.awaitOutput("Monthly statistics published", printed, Duration.ofSeconds(60));
            try (Connection pg = SharedServers.postgres()) {
                assertEqualToContract(StatisticsFromLakeTest.readResult(lake, month.toString()),
                        contractRows(pg, pipeline.table, month.toString(), "UTC"));
            }
            for (AppProcess app : apps) {
                assertThat(app.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isEqualTo(AppProcess.STOPPED_BY_SIGTERM);
            }
            assertPublishedOncePerFiring(List.of(leader, newLeader, apps.get(0), apps.get(1)), month, lake);
            System.out.printf("ClusterTest figures: leader killed, another elected after %.1f s, a change made after the kill in the lake "
                    + "after %.1f s; %,d changes%n", electedAfter, flowingAfter, stream.made());
        } finally {
            for (AppProcess app : apps) {
                app.close();
            }
        }
    }

    /**
     * Each firing (the cron's scheduled time) published by one instance, and each publication of the
     * month, whichever instance made it, one revision step: 1, 2, ... up to the manifest's revision.
     */
    private static void assertPublishedOncePerFiring(List<AppProcess> instances, YearMonth month, Lake lake) throws Exception {
        Map<String, Integer> publicationsPerFiring = new HashMap<>();
        List<Long> revisions = new ArrayList<>();
        for (AppProcess instance : instances) {
            Matcher firing = FIRING.matcher(instance.output());
            while (firing.find()) {
                publicationsPerFiring.merge(firing.group(1), 1, Integer::sum);
            }
            Matcher publication = PUBLICATION.matcher(instance.output());
            while (publication.find()) {
                if (publication.group(1).equals(month.toString())) {
                    revisions.add(Long.parseLong(publication.group(2)));
                }
            }
        }
        assertThat(publicationsPerFiring).as("publications per firing").hasSizeGreaterThan(2)
                .allSatisfy((firing, count) -> assertThat(count).as("publications of the firing of " + firing).isOne());
        long revision = MonthlyStatsRouteTest.manifest(lake, month).path("revision").asLong();
        assertThat(revisions).as("revisions published, in the order the instances printed them").containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.rangeClosed(1, revision).boxed().toList());
    }

    private static long lastTrip(RunningPipeline pipeline) throws Exception {
        try (Connection pg = SharedServers.postgres();
                java.sql.ResultSet last = pg.createStatement().executeQuery("SELECT max(trip_id) FROM " + pipeline.table)) {
            last.next();
            return last.getLong(1);
        }
    }

    private AppProcess start(RunningPipeline pipeline) throws Exception {
        int port = DevServers.freePort();
        AppProcess app = AppProcess.start(pipeline.with("pipeline.http.port", String.valueOf(port)));
        ports.put(app, port);
        return app;
    }

    /** Waits until exactly one of the instances reports itself leader (gauge pipeline_leader) and the others standby. */
    private AppProcess awaitOneLeader(List<AppProcess> instances) {
        return await().alias("one leader among " + instances.size()).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    List<AppProcess> leaders = new ArrayList<>();
                    for (AppProcess app : instances) {
                        if (metric(app, "pipeline_leader") == 1) {
                            leaders.add(app);
                        }
                    }
                    return leaders.size() == 1 ? leaders.get(0) : null;
                }, leader -> leader != null);
    }

    /** The sum of a Prometheus series over its labels, as scraped from the instance. */
    private double metric(AppProcess app, String series) throws Exception {
        double sum = 0;
        boolean found = false;
        for (String line : get(app, "/observe/metrics").body().split("\n")) {
            if (line.startsWith(series + " ") || line.startsWith(series + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException(series + " not exported yet");
        }
        return sum;
    }

    private HttpResponse<String> get(AppProcess app, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + ports.get(app) + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
