package pipeline.it;

import java.time.Duration;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static pipeline.it.CdcToLakeTest.awaitLakeEqualsTable;
import static pipeline.it.CdcToLakeTest.createTable;
import static pipeline.it.CdcToLakeTest.execute;

/**
 * An upload to S3 whose connection breaks half-way, and one whose answer comes after the S3
 * client's 30 s read timeout: each is retried, and readers only ever find whole Parquet files.
 */
@Tag("slow")
class UploadFaultTest {

    @Test
    void anUploadCutHalfWayOrAnsweredTooLateIsRetriedAndLeavesNoPartialFile() throws Exception {
        String name = "trip_upload_faults";
        createTable(name);
        RunningPipeline pipeline = new RunningPipeline(name);
        try (pipeline;
                S3Link s3 = new S3Link(SharedServers.get().s3.endpoint(), pipeline.bucket);
                AppProcess app = AppProcess.start(pipeline.with("pipeline.s3.endpoint", s3.endpoint()))) {
            pipeline.awaitStreaming();
            Lake lake = new Lake(pipeline.bucket, pipeline.table);

            int uploads = s3.uploadsSeen();
            s3.cutNextUploadHalfWay();
            insertTrips(1, 500);
            awaitLakeEqualsTable(lake, name);
            assertThat(s3.uploadsSeen()).as("the cut upload, then its retry").isGreaterThanOrEqualTo(uploads + 2);

            uploads = s3.uploadsSeen();
            s3.holdNextUploadAnswer(Duration.ofSeconds(45));
            insertTrips(501, 1000);
            // S3 stored the held upload before answering: the lake may equal the table before the client gives up and retries
            int heldFrom = uploads;
            await().alias("the upload answered too late, then its retry").atMost(Duration.ofSeconds(120))
                    .until(() -> s3.uploadsSeen() >= heldFrom + 2);
            awaitLakeEqualsTable(lake, name);

            // S3Proxy's file system store also lists its directories, as keys ending in '/'
            assertThat(lake.objects("")).filteredOn(key -> !key.endsWith("/"))
                    .as("every object in the bucket is a raw file (all read by DuckDB above) or a statistics result")
                    .allMatch(key -> key.startsWith("raw/" + pipeline.table + "/") && key.endsWith(".parquet") || key.startsWith("stats/"));
            System.out.printf("UploadFaultTest figures: %d uploads seen for %d files, 1,000 rows, all in the lake%n",
                    s3.uploadsSeen(), lake.keys().size());
        }
    }

    private static void insertTrips(int from, int to) throws Exception {
        execute("INSERT INTO public.trip_upload_faults (trip_id, vehicle_id, started_at) "
                + "SELECT id, 'v-' || id % 7, timestamptz '2024-09-01 00:00+00' + id * interval '1 minute' FROM generate_series(" + from
                + ", " + to + ") id");
    }
}
