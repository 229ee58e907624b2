package pipeline.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.quartz.CronExpression;

/**
 * The pipeline's configuration (contract section 2), read once and checked at start-up so a bad
 * value stops the process with one line naming the key instead of failing later inside a route.
 * Grouped as the keys are: {@code pipeline.pg.*}, {@code pipeline.kafka.*}, {@code pipeline.s3.*},
 * {@code pipeline.lake.*}, {@code pipeline.stats.*}, and the console's {@code pipeline.http.*} and
 * {@code pipeline.hawtio.*}.
 */
public final class PipelineSettings {

    public final Postgres pg;
    public final Kafka kafka;
    public final S3 s3;
    public final Lake lake;
    /** The wall clock of the lake's day partitions and of the statistics' months. */
    public final ZoneId timezone;
    public final Stats stats;
    public final Console console;

    /**
     * The settings as the routes see them, for a command that runs without the routes:
     * application.properties, overridden by environment variables and -D properties.
     */
    public static PipelineSettings load() {
        PropertiesComponent properties = new DefaultCamelContext(false).getPropertiesComponent();
        properties.setLocation("classpath:application.properties");
        return new PipelineSettings(key -> properties.resolveProperty(key).orElse(null));
    }

    /** The environment variable that overrides {@code key}, by Camel's rule: upper case, '.' and '-' become '_'. */
    public static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Reads every key through {@code source}, which returns the resolved value or null when unset. */
    public PipelineSettings(Function<String, String> source) {
        Keys keys = new Keys(source);
        pg = new Postgres(keys);
        kafka = new Kafka(keys);
        s3 = new S3(keys);
        lake = new Lake(keys);
        timezone = keys.zone("pipeline.timezone");
        stats = new Stats(keys, pg.tables);
        console = new Console(keys);
    }

    /** The source database and the replication slot Debezium reads it through. */
    public static final class Postgres {
        public final String host;
        public final int port;
        public final String database;
        public final String user;
        public final String password;
        public final List<String> tables;
        public final String slot;
        public final String publication;
        public final String sslMode;
        public final String sslRootCert;

        private Postgres(Keys keys) {
            host = keys.required("pipeline.pg.host");
            port = keys.port("pipeline.pg.port");
            database = keys.required("pipeline.pg.database");
            user = keys.required("pipeline.pg.user");
            password = keys.optional("pipeline.pg.password");
            tables = keys.tables("pipeline.pg.tables");
            slot = keys.identifier("pipeline.pg.slot");
            publication = keys.identifier("pipeline.pg.publication");
            sslMode = keys.oneOf("pipeline.pg.sslmode", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"));
            sslRootCert = sslMode.startsWith("verify")
                    ? keys.optionalFile("pipeline.pg.sslrootcert")
                    : keys.optional("pipeline.pg.sslrootcert");
        }
    }

    /** The brokers, the topics the pipeline writes and the lake writer's consumer group. */
    public static final class Kafka {
        /**
         * fetch.max.wait.ms of the pipeline's consumers. A consumer at the end of its topic asks the broker
         * again each time this wait runs out: Kafka's 500 ms woke the idle process twice a second per
         * consumer. The broker answers as soon as a record arrives, so the wait adds no latency; but closing
         * a consumer waits as long for the broker to end its fetch session (10 s made stopping the pipeline
         * take 19 s instead of 7), so the wait stays short.
         */
        public static final int IDLE_FETCH_WAIT_MS = 2_000;
        /** Debezium's own default, given to Debezium explicitly so the topic created for it keeps its name. */
        public static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";

        public final String brokers;
        public final String securityProtocol;
        public final String truststoreLocation;
        public final String truststorePassword;
        public final String keystoreLocation;
        public final String keystorePassword;
        public final String saslMechanism;
        public final String saslJaasConfig;
        public final String topicPrefix;
        public final String groupId;
        /** Partitions of the change topics the pipeline creates. */
        public final int partitions;
        public final String compression;

        private Kafka(Keys keys) {
            brokers = keys.required("pipeline.kafka.brokers");
            securityProtocol = keys.oneOf("pipeline.kafka.security-protocol", List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"));
            truststoreLocation = keys.optionalFile("pipeline.kafka.ssl-truststore-location");
            truststorePassword = keys.optional("pipeline.kafka.ssl-truststore-password");
            keystoreLocation = keys.optionalFile("pipeline.kafka.ssl-keystore-location");
            keystorePassword = keys.optional("pipeline.kafka.ssl-keystore-password");
            saslMechanism = keys.optional("pipeline.kafka.sasl-mechanism");
            saslJaasConfig = keys.optional("pipeline.kafka.sasl-jaas-config");
            topicPrefix = keys.required("pipeline.kafka.topic-prefix");
            groupId = keys.required("pipeline.kafka.group-id");
            partitions = keys.positiveInt("pipeline.kafka.partitions");
            compression = keys.oneOf("pipeline.kafka.compression", List.of("none", "gzip", "snappy", "lz4", "zstd"));
        }

        /**
         * What every Kafka client of the pipeline needs to reach the brokers: their address and, when
         * configured, TLS and SASL. Camel's Kafka component, Debezium's offset store, the lake writer,
         * the health probe and the offset lookups all start from these.
         */
        public Map<String, Object> clientProperties() {
            Map<String, Object> properties = new HashMap<>();
            properties.put("bootstrap.servers", brokers);
            properties.put("security.protocol", securityProtocol);
            putIfSet(properties, "ssl.truststore.location", truststoreLocation);
            putIfSet(properties, "ssl.truststore.password", truststorePassword);
            putIfSet(properties, "ssl.keystore.location", keystoreLocation);
            putIfSet(properties, "ssl.keystore.password", keystorePassword);
            putIfSet(properties, "sasl.mechanism", saslMechanism);
            putIfSet(properties, "sasl.jaas.config", saslJaasConfig);
            return properties;
        }

        /** The same, plus settings of one client. */
        public Map<String, Object> clientProperties(Map<String, Object> more) {
            Map<String, Object> properties = clientProperties();
            properties.putAll(more);
            return properties;
        }

        /**
         * {@code client} with each call of an admin client, its own retries included, bounded by {@code timeout}:
         * closing the client then never waits longer than that for calls still pending while Kafka is away.
         */
        public static Map<String, Object> withCallTimeout(Map<String, Object> client, Duration timeout) {
            Map<String, Object> bounded = new HashMap<>(client);
            bounded.put("default.api.timeout.ms", (int) timeout.toMillis());
            bounded.put("request.timeout.ms", (int) timeout.toMillis());
            return bounded;
        }

        /** The Kafka change topic of a captured table: {@code {prefix}.{schema}.{table}}. */
        public String changeTopic(String table) {
            return topicPrefix + "." + table;
        }

        public String deadLetterTopic() {
            return topicPrefix + ".dlq";
        }

        /** Where Debezium sends its heartbeats: {@code __debezium-heartbeat.{prefix}}. */
        public String heartbeatTopic() {
            return HEARTBEAT_TOPIC_PREFIX + "." + topicPrefix;
        }

        private static void putIfSet(Map<String, Object> properties, String key, String value) {
            if (!value.isEmpty()) {
                properties.put(key, value);
            }
        }
    }

    /** The bucket the lake and the statistics live in, and how to reach it. */
    public static final class S3 {
        private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

        /** Empty for AWS itself. */
        public final String endpoint;
        public final String region;
        public final String bucket;
        /** Empty, like {@link #secretKey}, for the AWS default credentials. */
        public final String accessKey;
        public final String secretKey;

        private S3(Keys keys) {
            endpoint = keys.optional("pipeline.s3.endpoint");
            region = keys.required("pipeline.s3.region");
            bucket = keys.required("pipeline.s3.bucket");
            if (!BUCKET.matcher(bucket).matches()) {
                throw new ConfigurationException("pipeline.s3.bucket", bucket,
                        "not a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-')");
            }
            accessKey = keys.optional("pipeline.s3.access-key");
            secretKey = keys.optional("pipeline.s3.secret-key");
            if (accessKey.isEmpty() != secretKey.isEmpty()) {
                throw new ConfigurationException("pipeline.s3.access-key", accessKey.isEmpty() ? "" : "(set)",
                        "set both pipeline.s3.access-key and pipeline.s3.secret-key, or neither for the AWS default credentials");
            }
        }
    }

    /** When the lake writer closes a file, and when compaction rewrites a day's files. */
    public static final class Lake {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(KB|MB|GB|kb|mb|gb)");

        public final int flushMaxRecords;
        public final Duration flushInterval;
        /** How old the newest file of a day partition must be before compaction rewrites it; zero: never. */
        public final Duration compactAfter;
        public final long compactTargetSize;
        public final Duration compactInterval;
        public final Duration compactGrace;

        private Lake(Keys keys) {
            flushMaxRecords = keys.positiveInt("pipeline.lake.flush-max-records");
            flushInterval = keys.duration("pipeline.lake.flush-interval");
            compactAfter = keys.durationOrOff("pipeline.lake.compact-after");
            compactTargetSize = size(keys, "pipeline.lake.compact-target-size");
            compactInterval = keys.duration("pipeline.lake.compact-interval");
            compactGrace = keys.durationOrOff("pipeline.lake.compact-grace");
        }

        /** A size such as 256MB, 64KB or 1GB (powers of 1024), from 1 MB up to the 5 GB a single S3 upload takes. */
        private static long size(Keys keys, String key) {
            String value = keys.required(key);
            Matcher matcher = SIZE.matcher(value);
            if (!matcher.matches()) {
                throw new ConfigurationException(key, value, "not a size such as 64MB, 256MB or 1GB");
            }
            int shift = switch (matcher.group(2).toUpperCase(Locale.ROOT)) {
                case "KB" -> 10;
                case "MB" -> 20;
                default -> 30;
            };
            long amount = Long.parseLong(matcher.group(1));
            if (amount > (5L << 30) >> shift || amount << shift < 1L << 20) {
                throw new ConfigurationException(key, value, "must be from 1MB to 5GB");
            }
            return amount << shift;
        }
    }

    /** The monthly statistics: when they run, which table and columns they read, how they wait and restate. */
    public static final class Stats {
        public final String cron;
        public final YearMonth since;
        public final Duration lakeWait;
        /** A failed firing or catch-up is tried again on this schedule, from pipeline.stats.retry-delay. */
        public final Backoff retries;
        public final String table;
        public final String keyColumn;
        public final String vehicleColumn;
        public final String startColumn;
        public final String endColumn;
        public final String distanceColumn;
        /** Contract 6.1; null when every delete removes its trip. */
        public final Duration keepDeletedAfter;
        /** Contract 6.2; zero turns restatement off. */
        public final Duration restateInterval;
        public final int restateMonths;

        private Stats(Keys keys, List<String> capturedTables) {
            cron = keys.cron("pipeline.stats.cron");
            since = keys.optionalMonth("pipeline.stats.since");
            lakeWait = keys.duration("pipeline.stats.lake-wait");
            retries = Backoff.statistics(keys.duration("pipeline.stats.retry-delay"));
            table = Keys.table("pipeline.stats.table", keys.required("pipeline.stats.table"));
            if (!capturedTables.contains(table)) {
                // a table that is not captured has no lake files: its statistics would be published empty, as a success
                throw new ConfigurationException("pipeline.stats.table", table,
                        "is not one of the captured tables (pipeline.pg.tables=" + String.join(",", capturedTables) + ")");
            }
            keyColumn = keys.required("pipeline.stats.key-column");
            vehicleColumn = keys.required("pipeline.stats.vehicle-column");
            startColumn = keys.required("pipeline.stats.start-column");
            endColumn = keys.required("pipeline.stats.end-column");
            distanceColumn = keys.required("pipeline.stats.distance-column");
            keepDeletedAfter = keys.optional("pipeline.stats.keep-deleted-after").isEmpty()
                    ? null
                    : keys.duration("pipeline.stats.keep-deleted-after");
            restateInterval = keys.durationOrOff("pipeline.stats.restate-interval");
            restateMonths = keys.positiveInt("pipeline.stats.restate-months");
        }
    }

    /** The management port (health, metrics) and the Hawtio console. */
    public static final class Console {
        public final int httpPort;
        public final int hawtioPort;
        public final String hawtioHost;
        public final String hawtioUser;
        /** Empty: the console stays off. */
        public final String hawtioPassword;

        private Console(Keys keys) {
            httpPort = keys.port("pipeline.http.port");
            hawtioPort = keys.port("pipeline.hawtio.port");
            hawtioHost = keys.required("pipeline.hawtio.host");
            hawtioUser = keys.optional("pipeline.hawtio.user");
            hawtioPassword = keys.optional("pipeline.hawtio.password");
            if (!hawtioPassword.isEmpty() && hawtioUser.isEmpty()) {
                throw new ConfigurationException("pipeline.hawtio.user", "", "set a user name for the Hawtio console's password");
            }
        }
    }

    /** Reads and checks one key at a time; every refusal names the key and its value. */
    private static final class Keys {
        private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
        private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");

        private final Function<String, String> source;

        private Keys(Function<String, String> source) {
            this.source = source;
        }

        String optional(String key) {
            String value = source.apply(key);
            return value == null ? "" : value.trim();
        }

        /** An optional path that, when given, must name a readable file. */
        String optionalFile(String key) {
            String value = optional(key);
            if (!value.isEmpty() && !Files.isReadable(Path.of(value))) {
                throw new ConfigurationException(key, value, "is not a readable file");
            }
            return value;
        }

        String required(String key) {
            String value = optional(key);
            if (value.isEmpty()) {
                throw new ConfigurationException(key, value, "must not be empty");
            }
            return value;
        }

        int port(String key) {
            String value = required(key);
            try {
                int port = Integer.parseInt(value);
                if (port < 0 || port > 65535) {
                    throw new ConfigurationException(key, value, "not a port number (0-65535)");
                }
                return port;
            } catch (NumberFormatException e) {
                throw new ConfigurationException(key, value, "not a port number (0-65535)");
            }
        }

        int positiveInt(String key) {
            String value = required(key);
            try {
                int number = Integer.parseInt(value);
                if (number <= 0) {
                    throw new ConfigurationException(key, value, "must be a positive whole number");
                }
                return number;
            } catch (NumberFormatException e) {
                throw new ConfigurationException(key, value, "must be a positive whole number");
            }
        }

        Duration duration(String key) {
            String value = required(key);
            Matcher matcher = DURATION.matcher(value);
            if (!matcher.matches()) {
                throw new ConfigurationException(key, value, "not a duration such as 500ms, 60s, 10m, 2h or 1d");
            }
            long amount = Long.parseLong(matcher.group(1));
            Duration duration = switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (duration.isZero()) {
                throw new ConfigurationException(key, value, "must be longer than zero");
            }
            return duration;
        }

        /** A duration, or zero for {@code 0}: the key's feature is off. */
        Duration durationOrOff(String key) {
            return "0".equals(optional(key)) ? Duration.ZERO : duration(key);
        }

        ZoneId zone(String key) {
            String value = required(key);
            try {
                return ZoneId.of(value);
            } catch (DateTimeException e) {
                throw new ConfigurationException(key, value, "unknown time zone (use a region id such as UTC or Europe/Paris)");
            }
        }

        String cron(String key) {
            String value = required(key);
            try {
                CronExpression.validateExpression(value);
                return value;
            } catch (ParseException e) {
                throw new ConfigurationException(key, value, "not a Quartz cron expression (" + e.getMessage() + ")");
            }
        }

        YearMonth optionalMonth(String key) {
            String value = optional(key);
            if (value.isEmpty()) {
                return null;
            }
            try {
                return YearMonth.parse(value);
            } catch (DateTimeParseException e) {
                throw new ConfigurationException(key, value, "not a month in the form YYYY-MM");
            }
        }

        List<String> tables(String key) {
            String value = required(key);
            List<String> tables = Arrays.stream(value.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
            if (tables.isEmpty()) {
                throw new ConfigurationException(key, value, "must list at least one schema.table");
            }
            tables.forEach(table -> table(key, table));
            return tables;
        }

        static String table(String key, String table) {
            if (!TABLE.matcher(table).matches()) {
                throw new ConfigurationException(key, table, "not a schema.table name");
            }
            return table;
        }

        String oneOf(String key, List<String> allowed) {
            String value = required(key);
            if (!allowed.contains(value)) {
                throw new ConfigurationException(key, value, "must be one of " + String.join(", ", allowed));
            }
            return value;
        }

        String identifier(String key) {
            String value = required(key);
            if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new ConfigurationException(key, value, "must be a lower-case Postgres identifier (letters, digits, _)");
            }
            return value;
        }
    }
}
