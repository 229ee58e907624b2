package pipeline.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads the lake back the way a user would: the objects are downloaded from S3 with the AWS SDK
 * and queried with DuckDB, a reader independent of the code that wrote them.
 */
final class Lake {

    private final String bucket;
    private final String table;
    private final S3Client s3;

    Lake(String bucket, String table) {
        this.bucket = bucket;
        this.table = table;
        this.s3 = SharedServers.s3();
    }

    /** Object keys of the table's raw files. */
    List<String> keys() {
        try {
            return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/" + table + "/"))
                    .contents().stream().map(S3Object::key).filter(key -> key.endsWith(".parquet")).toList();
        } catch (NoSuchBucketException e) {
            return List.of();
        }
    }

    /** Every object key under {@code prefix} in the bucket. */
    List<String> objects(String prefix) {
        try {
            return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
        } catch (NoSuchBucketException e) {
            return List.of();
        }
    }

    /** An object's content as text (a manifest). */
    String text(String key) {
        return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asUtf8String();
    }

    /** Downloads every raw file of the table into a fresh local directory, keeping the key layout. */
    Path download() throws IOException {
        Path directory = Files.createTempDirectory("lake");
        for (String key : keys()) {
            Path target = directory.resolve(key);
            Files.createDirectories(target.getParent());
            s3.getObject(r -> r.bucket(bucket).key(key), target);
        }
        return directory;
    }

    /** Downloads one object into a temporary file. */
    Path download(String key) throws IOException {
        Path target = Files.createTempFile("object", ".parquet");
        Files.delete(target);
        s3.getObject(r -> r.bucket(bucket).key(key), target);
        return target;
    }

    /** Runs a DuckDB query in which {@code events} names every change event of the table. */
    List<List<String>> query(String sql) throws IOException, SQLException {
        if (keys().isEmpty()) {
            return List.of();
        }
        Path directory = download();
        String files = directory.resolve("raw").resolve(table) + "/**/*.parquet";
        try {
            return duckdb(
                    sql.replace("{events}", "(SELECT * FROM read_parquet('" + files + "', hive_partitioning=true, union_by_name=true))"));
        } finally {
            // a test polling a lake of thousands of files would otherwise fill the disk with copies
            deleteRecursively(directory);
        }
    }

    /** Runs a DuckDB query in which {@code files} names the rows of every Parquet object under {@code prefix}. */
    List<List<String>> queryFiles(String prefix, String sql) throws IOException, SQLException {
        Path directory = Files.createTempDirectory("objects");
        try {
            for (String key : objects(prefix)) {
                if (key.endsWith(".parquet")) {
                    Path target = directory.resolve(key);
                    Files.createDirectories(target.getParent());
                    s3.getObject(r -> r.bucket(bucket).key(key), target);
                }
            }
            // the as_of=... directory is part of the snapshot's location, not a column of it
            return duckdb(sql.replace("{files}", "(SELECT * FROM read_parquet('" + directory.resolve(prefix)
                    + "/*.parquet', union_by_name=true, hive_partitioning=false))"));
        } finally {
            deleteRecursively(directory);
        }
    }

    private static List<List<String>> duckdb(String sql) throws SQLException {
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = duckdb.createStatement()) {
            statement.execute("SET TimeZone='UTC'");
            return rows(statement.executeQuery(sql));
        }
    }

    static void deleteRecursively(Path directory) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** The latest version of every key that is not deleted, as a user reconstructs the table from the lake. */
    static final String LATEST = """
            (SELECT * EXCLUDE (version) FROM (
               SELECT *, row_number() OVER (PARTITION BY trip_id ORDER BY __lsn DESC, __kafka_offset DESC) AS version
               FROM {events}) WHERE version = 1 AND NOT __deleted)""";

    static List<List<String>> rows(ResultSet result) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        int columns = result.getMetaData().getColumnCount();
        while (result.next()) {
            List<String> row = new ArrayList<>(columns);
            for (int i = 1; i <= columns; i++) {
                row.add(String.valueOf(result.getObject(i)));
            }
            rows.add(row);
        }
        return rows;
    }
}
