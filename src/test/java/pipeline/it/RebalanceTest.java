package pipeline.it;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * The consumer group moves on without the lake writer while it uploads a batch (its member removed,
 * as when its session expires or an operator resets the group): Kafka refuses the batch's commit,
 * and instead of retrying that forever the batch ends uncommitted, the writer rejoins, replays it
 * and later changes keep reaching the lake.
 */
@Tag("slow")
class RebalanceTest {

    @Test
    void aCommitRefusedAfterLeavingTheGroupIsNotRetriedForeverAndTheBatchIsReplayed() throws Exception {
        String name = "trip_rebalance";
        createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline;
                S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket);
                AppProcess app = AppProcess.start(pipeline.with("pipeline.s3.endpoint", s3.endpoint()));
                Admin admin = Admin.create(Map.of("bootstrap.servers", SharedServers.get().kafka.bootstrapServers()))) {
            pipeline.awaitStreaming();
            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            insertTrips(1, 100);
            awaitLakeEqualsTable(lake, name);

            int uploads = s3.uploadsSeen();
            s3.holdNextUploadAnswer(Duration.ofSeconds(10));
            insertTrips(101, 200);
            await().alias("the lake writer uploading").atMost(Duration.ofSeconds(60)).until(() -> s3.uploadsSeen() > uploads);
            admin.removeMembersFromConsumerGroup(name + "-lake", new RemoveMembersFromConsumerGroupOptions()).all().get();

            insertTrips(201, 300);
            awaitLakeEqualsTable(lake, name);
            assertThat(app.output()).contains("Offsets of " + pipeline.changeTopic() + "-0 not committed, the group is rebalancing");
        }
    }

    private static void insertTrips(int from, int to) throws Exception {
        execute("INSERT INTO public.trip_rebalance (trip_id, vehicle_id, started_at) "
                + "SELECT id, 'v-' || id % 7, timestamptz '2024-10-01 00:00+00' + id * interval '1 minute' FROM generate_series(" + from
                + ", " + to + ") id");
    }
}
