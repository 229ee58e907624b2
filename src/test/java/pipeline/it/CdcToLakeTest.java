package pipeline.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Postgres changes reach the Parquet lake in S3 through Debezium and Kafka, exactly and with their types. */
class CdcToLakeTest {

    static final String COLUMNS_PG = """
            trip_id, vehicle_id, (extract(epoch FROM started_at) * 1000000)::bigint,
            (extract(epoch FROM ended_at) * 1000000)::bigint, (extract(epoch FROM local_start) * 1000000)::bigint,
            distance_km::text, trip_date::text, passengers, rating, paid, note""";
    static final String COLUMNS_LAKE = """
            trip_id, vehicle_id, epoch_us(started_at), epoch_us(ended_at), epoch_us(local_start),
            CAST(distance_km AS VARCHAR), CAST(trip_date AS VARCHAR), passengers, rating, paid, note""";

    @Test
    void latestLakeStateEqualsTheTableAfterInsertsUpdatesDeletesAndASnapshot() throws Exception {
        String name = "trip_e2e";
        createTable(name);
        execute("""
                INSERT INTO public.trip_e2e VALUES
                  (1, 'v-1', '2024-01-31 23:59:59.123456+00', NULL, '2024-01-31 18:59:59.5', 12.345, '2024-01-31', 1, 4.5, true, 'before start'),
                  (2, 'v-2', '2024-02-01 00:00:00+00', '2024-02-01 00:30:00+00', NULL, 0.000, NULL, NULL, NULL, NULL, NULL),
                  (3, 'v-1', '2024-02-02 08:00:00+00', NULL, NULL, NULL, NULL, 2, NULL, false, 'will be deleted')""");
        try (RunningPipeline pipeline = new RunningPipeline(name).start()) {
            execute("""
                    INSERT INTO public.trip_e2e VALUES
                      (4, 'v-3', '2024-02-03 10:00:00+01', NULL, '2024-02-03 10:00:00', 9999999.999, '2024-02-03', 3, -1.25, true, 'ünïcødé ✓'),
                      (5, 'v-3', '2024-02-04 10:00:00+00', NULL, NULL, 0.001, NULL, NULL, NULL, NULL, '')""");
            execute("UPDATE public.trip_e2e SET ended_at = '2024-02-01 00:45:00+00', distance_km = 7.5, note = 'finished' WHERE trip_id = 1");
            execute("DELETE FROM public.trip_e2e WHERE trip_id = 3");
            execute("""
                    BEGIN;
                    INSERT INTO public.trip_e2e (trip_id, vehicle_id, started_at) VALUES (6, 'v-4', '2024-02-05 00:00:00+00');
                    INSERT INTO public.trip_e2e (trip_id, vehicle_id, started_at) VALUES (7, 'v-4', '2024-02-06 00:00:00+00');
                    UPDATE public.trip_e2e SET rating = 3.0, passengers = NULL WHERE trip_id = 4;
                    DELETE FROM public.trip_e2e WHERE trip_id = 7;
                    COMMIT""");

            Lake lake = new Lake(pipeline.bucket, pipeline.table);
            awaitLakeEqualsTable(lake, name);

            assertThat(lake.query("SELECT trip_id, __op FROM {events} WHERE __op = 'r' ORDER BY trip_id"))
                    .as("rows present before the first start arrive as snapshot reads")
                    .containsExactly(List.of("1", "r"), List.of("2", "r"), List.of("3", "r"));
            assertThat(lake.query("SELECT trip_id, __deleted FROM {events} WHERE __op = 'd' ORDER BY trip_id"))
                    .containsExactly(List.of("3", "true"), List.of("7", "true"));
            assertThat(lake
                    .query("""
                            SELECT count(*) FROM {events}
                            WHERE __source_ts_ms IS NULL OR __lsn IS NULL OR __txid IS NULL OR __kafka_partition IS NULL OR __kafka_offset IS NULL"""))
                    .containsExactly(List.of("0"));
            assertThat(lake.keys()).allMatch(key -> key.matches(
                    "raw/public\\.trip_e2e/year=\\d{4}/month=\\d{2}/day=\\d{2}/it-trip-e2e\\.public\\.trip_e2e-p0-o\\d{20}\\.parquet"));
            assertThat(lake.keys()).anyMatch(key -> key.contains("/year=2024/month=01/day=31/"));

            assertContractTypes(lake.download());
            assertChangeTopicHoldsKafkaConnectEnvelopes(pipeline.changeTopic());
        }
    }

    private static void assertChangeTopicHoldsKafkaConnectEnvelopes(String topic) throws Exception {
        JsonConverter keys = new JsonConverter();
        keys.configure(Map.of("schemas.enable", "true"), true);
        JsonConverter values = new JsonConverter();
        values.configure(Map.of("schemas.enable", "true"), false);
        ObjectMapper json = new ObjectMapper();
        List<ConsumerRecord<byte[], byte[]>> records = Topics.read(topic, 13);
        ConsumerRecord<byte[], byte[]> update = null;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.value() != null && json.readTree(record.value()).path("payload").path("op").asText().equals("u")) {
                update = record;
                break;
            }
        }
        assertThat(update).as("an update event on the change topic").isNotNull();

        assertThat(json.readTree(update.value()).fieldNames()).toIterable().containsExactlyInAnyOrder("schema", "payload");
        assertThat(json.readTree(update.value()).path("payload").fieldNames()).toIterable()
                .contains("before", "after", "source", "op", "ts_ms");
        Struct key = (Struct) keys.toConnectData(topic, update.key()).value();
        assertThat(key.schema().fields()).extracting(org.apache.kafka.connect.data.Field::name).containsExactly("trip_id");
        Struct envelope = (Struct) values.toConnectData(topic, update.value()).value();
        assertThat(envelope.getStruct("after").getInt64("trip_id")).isEqualTo(key.getInt64("trip_id"));
        assertThat(envelope.getStruct("source").getString("table")).isEqualTo("trip_e2e");
        assertThat(records).as("a tombstone follows each delete").anyMatch(r -> r.value() == null);
    }

    private static void assertContractTypes(Path lakeDirectory) throws Exception {
        Path file;
        try (Stream<Path> files = Files.walk(lakeDirectory)) {
            file = files.filter(path -> path.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement statement = duckdb.createStatement()) {
            List<List<String>> schema = Lake.rows(statement.executeQuery(
                    "SELECT name, type, logical_type FROM parquet_schema('" + file + "') WHERE name <> 'duckdb_schema' ORDER BY name"));
            String utcMicros = "TimestampType(isAdjustedToUTC=1, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))";
            String wallMicros = "TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds(), NANOS=<null>))";
            assertThat(schema).contains(
                    List.of("trip_id", "INT64", "null"),
                    List.of("vehicle_id", "BYTE_ARRAY", "StringType()"),
                    List.of("started_at", "INT64", utcMicros),
                    List.of("ended_at", "INT64", utcMicros),
                    List.of("local_start", "INT64", wallMicros),
                    List.of("distance_km", "BYTE_ARRAY", "DecimalType(scale=3, precision=10)"),
                    List.of("trip_date", "INT32", "DateType()"),
                    List.of("passengers", "INT32", "null"),
                    List.of("rating", "DOUBLE", "null"),
                    List.of("paid", "BOOLEAN", "null"),
                    List.of("note", "BYTE_ARRAY", "StringType()"),
                    List.of("__op", "BYTE_ARRAY", "StringType()"),
                    List.of("__deleted", "BOOLEAN", "null"),
                    List.of("__source_ts_ms", "INT64", "null"),
                    List.of("__lsn", "INT64", "null"),
                    List.of("__txid", "INT64", "null"),
                    List.of("__kafka_partition", "INT32", "null"),
                    List.of("__kafka_offset", "INT64", "null"));
            List<List<String>> codecs = Lake.rows(statement.executeQuery(
                    "SELECT DISTINCT compression FROM parquet_metadata('" + file + "')"));
            assertThat(codecs).containsExactly(List.of("SNAPPY"));
        }
    }

    static void createTable(String name) throws SQLException {
        createTable(SharedServers::postgres, name);
    }

    static void createTable(Database database, String name) throws SQLException {
        database.execute("DROP TABLE IF EXISTS public." + name);
        database.execute("CREATE TABLE public." + name + """
                (
                 trip_id     bigint PRIMARY KEY,
                 vehicle_id  text NOT NULL,
                 started_at  timestamptz NOT NULL,
                 ended_at    timestamptz,
                 local_start timestamp,
                 distance_km numeric(10,3),
                 trip_date   date,
                 passengers  integer,
                 rating      double precision,
                 paid        boolean,
                 note        text)""");
    }

    /** Waits until the latest state rebuilt from the lake equals the table, column by column. */
    static void awaitLakeEqualsTable(Lake lake, String name) throws SQLException {
        awaitLakeEqualsTable(SharedServers::postgres, lake, name);
    }

    static void awaitLakeEqualsTable(Database database, Lake lake, String name) throws SQLException {
        List<List<String>> expected = tableRows(database, name);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                () -> assertThat(lake.query("SELECT " + COLUMNS_LAKE + " FROM " + Lake.LATEST + " ORDER BY trip_id")).isEqualTo(expected));
    }

    static List<List<String>> tableRows(Database database, String name) throws SQLException {
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            return Lake.rows(statement.executeQuery("SELECT " + COLUMNS_PG + " FROM public." + name + " ORDER BY trip_id"));
        }
    }

    static void execute(String sql) throws SQLException {
        Database shared = SharedServers::postgres;
        shared.execute(sql);
    }
}
