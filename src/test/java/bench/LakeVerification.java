package bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import pipeline.dev.DevServers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Checks that a pipeline turn's lake holds the table: every Parquet file is downloaded through the
 * S3 API, DuckDB rebuilds the latest state of every key (latest {@code __lsn}, then
 * {@code __kafka_offset}; deleted keys dropped), and that state must equal the table column by column.
 */
final class LakeVerification {

    private LakeVerification() {
    }

    /** Downloads the lake below {@code downloadTo}; returns a one-line summary, throws when the lake and the table differ. */
    static String verify(Connection pg, String s3Endpoint, String bucket, Path downloadTo) throws Exception {
        Path lake = Files.createDirectories(downloadTo);
        int files = download(s3Endpoint, bucket, lake);

        List<String> table = new ArrayList<>();
        try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("""
                SELECT trip_id, vehicle_id,
                       (extract(epoch FROM started_at) * 1000000)::bigint, (extract(epoch FROM ended_at) * 1000000)::bigint,
                       distance_km::text, fare::text
                FROM public.trip ORDER BY trip_id""")) {
            collect(r, table);
        }
        List<String> latestState = new ArrayList<>();
        long events;
        long storedTwice;
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duckdb.createStatement()) {
            String changes = "read_parquet('" + lake + "/raw/**/*.parquet', hive_partitioning=true, union_by_name=true)";
            try (ResultSet r = s.executeQuery(
                    """
                            SELECT trip_id, vehicle_id, epoch_us(started_at), epoch_us(ended_at), CAST(distance_km AS VARCHAR), CAST(fare AS VARCHAR)
                            FROM (SELECT *, row_number() OVER (PARTITION BY trip_id ORDER BY __lsn DESC, __kafka_offset DESC) AS version FROM %s)
                            WHERE version = 1 AND NOT __deleted ORDER BY trip_id"""
                            .formatted(changes))) {
                collect(r, latestState);
            }
            try (ResultSet r = s.executeQuery(
                    "SELECT count(*), count(*) - count(DISTINCT (__kafka_partition, __kafka_offset)) FROM " + changes)) {
                r.next();
                events = r.getLong(1);
                storedTwice = r.getLong(2);
            }
        }
        boolean equal = table.equals(latestState);
        String summary = String.format("Verification (bucket %s, %,d Parquet files): table has %,d rows, the lake's latest state %,d rows "
                + "from %,d change events (%,d stored twice); latest state equals the table column by column: %s",
                bucket, files, table.size(), latestState.size(), events, storedTwice, equal ? "YES" : "NO");
        if (!equal) {
            throw new IllegalStateException(summary);
        }
        return summary;
    }

    private static int download(String endpoint, String bucket, Path into) throws Exception {
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                // S3Proxy rejects the checksum trailers SDK 2.41 sends by default
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY)))
                .build()) {
            List<String> keys = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/")).contents().stream()
                    .map(S3Object::key).filter(k -> k.endsWith(".parquet")).toList();
            for (String key : keys) {
                Path target = into.resolve(key);
                Files.createDirectories(target.getParent());
                s3.getObject(r -> r.bucket(bucket).key(key), target);
            }
            return keys.size();
        }
    }

    private static void collect(ResultSet r, List<String> into) throws Exception {
        int columns = r.getMetaData().getColumnCount();
        while (r.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
                row.append(r.getObject(i)).append('|');
            }
            into.add(row.toString());
        }
    }
}
