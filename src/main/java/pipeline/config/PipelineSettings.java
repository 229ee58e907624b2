package pipeline.config;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.quartz.CronExpression;

/**
 * The pipeline's configuration (contract section 2), read once and checked at start-up so a bad
 * value stops the process with one line naming the key instead of failing later inside a route.
 */
public final class PipelineSettings {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(KB|MB|GB|kb|mb|gb)");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public final String pgHost;
    public final int pgPort;
    public final String pgDatabase;
    public final String pgUser;
    public final String pgPassword;
    public final List<String> pgTables;
    public final String pgSlot;
    public final String pgPublication;
    public final String pgSslMode;
    public final String pgSslRootCert;
    public final String kafkaBrokers;
    public final String kafkaSecurityProtocol;
    public final String kafkaTruststoreLocation;
    public final String kafkaTruststorePassword;
    public final String kafkaKeystoreLocation;
    public final String kafkaKeystorePassword;
    public final String kafkaSaslMechanism;
    public final String kafkaSaslJaasConfig;
    public final String topicPrefix;
    public final String groupId;
    /** Partitions of the change topics the pipeline creates. */
    public final int kafkaPartitions;
    public final String kafkaCompression;
    public final String s3Endpoint;
    public final String s3Region;
    public final String s3Bucket;
    public final String s3AccessKey;
    public final String s3SecretKey;
    public final int flushMaxRecords;
    public final Duration flushInterval;
    /** How old the newest file of a day partition must be before compaction rewrites it; zero: never. */
    public final Duration compactAfter;
    public final long compactTargetSize;
    public final Duration compactInterval;
    public final Duration compactGrace;
    public final ZoneId timezone;
    public final String statsCron;
    public final YearMonth statsSince;
    public final Duration statsLakeWait;
    public final Duration statsRetryDelay;
    public final String statsTable;
    public final String statsKeyColumn;
    public final String statsVehicleColumn;
    public final String statsStartColumn;
    public final String statsEndColumn;
    public final String statsDistanceColumn;
    /** Contract 6.1; null when every delete removes its trip. */
    public final Duration statsKeepDeletedAfter;
    /** Contract 6.2; zero turns restatement off. */
    public final Duration statsRestateInterval;
    public final int statsRestateMonths;
    public final int httpPort;
    public final int hawtioPort;
    public final String hawtioHost;
    public final String hawtioUser;
    public final String hawtioPassword;

    private final Function<String, String> source;

    /**
     * The settings as the routes see them, for a command that runs without the routes:
     * application.properties, overridden by environment variables and -D properties.
     */
    public static PipelineSettings load() {
        PropertiesComponent properties = new DefaultCamelContext(false).getPropertiesComponent();
        properties.setLocation("classpath:application.properties");
        return new PipelineSettings(key -> properties.resolveProperty(key).orElse(null));
    }

    /** Reads every key through {@code source}, which returns the resolved value or null when unset. */
    public PipelineSettings(Function<String, String> source) {
        this.source = source;
        pgHost = required("pipeline.pg.host");
        pgPort = port("pipeline.pg.port");
        pgDatabase = required("pipeline.pg.database");
        pgUser = required("pipeline.pg.user");
        pgPassword = optional("pipeline.pg.password");
        pgTables = tables("pipeline.pg.tables");
        pgSlot = identifier("pipeline.pg.slot");
        pgPublication = identifier("pipeline.pg.publication");
        pgSslMode = oneOf("pipeline.pg.sslmode", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"));
        pgSslRootCert = pgSslMode.startsWith("verify") ? optionalFile("pipeline.pg.sslrootcert") : optional("pipeline.pg.sslrootcert");
        kafkaBrokers = required("pipeline.kafka.brokers");
        kafkaSecurityProtocol = oneOf("pipeline.kafka.security-protocol", List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"));
        kafkaTruststoreLocation = optionalFile("pipeline.kafka.ssl-truststore-location");
        kafkaTruststorePassword = optional("pipeline.kafka.ssl-truststore-password");
        kafkaKeystoreLocation = optionalFile("pipeline.kafka.ssl-keystore-location");
        kafkaKeystorePassword = optional("pipeline.kafka.ssl-keystore-password");
        kafkaSaslMechanism = optional("pipeline.kafka.sasl-mechanism");
        kafkaSaslJaasConfig = optional("pipeline.kafka.sasl-jaas-config");
        topicPrefix = required("pipeline.kafka.topic-prefix");
        groupId = required("pipeline.kafka.group-id");
        kafkaPartitions = positiveInt("pipeline.kafka.partitions");
        kafkaCompression = oneOf("pipeline.kafka.compression", List.of("none", "gzip", "snappy", "lz4", "zstd"));
        s3Endpoint = optional("pipeline.s3.endpoint");
        s3Region = required("pipeline.s3.region");
        s3Bucket = bucket("pipeline.s3.bucket");
        s3AccessKey = optional("pipeline.s3.access-key");
        s3SecretKey = optional("pipeline.s3.secret-key");
        flushMaxRecords = positiveInt("pipeline.lake.flush-max-records");
        flushInterval = duration("pipeline.lake.flush-interval");
        compactAfter = durationOrOff("pipeline.lake.compact-after");
        compactTargetSize = size("pipeline.lake.compact-target-size");
        compactInterval = duration("pipeline.lake.compact-interval");
        compactGrace = durationOrOff("pipeline.lake.compact-grace");
        timezone = zone("pipeline.timezone");
        statsCron = cron("pipeline.stats.cron");
        statsSince = optionalMonth("pipeline.stats.since");
        statsLakeWait = duration("pipeline.stats.lake-wait");
        statsRetryDelay = duration("pipeline.stats.retry-delay");
        statsTable = table("pipeline.stats.table", required("pipeline.stats.table"));
        if (!pgTables.contains(statsTable)) {
            // a table that is not captured has no lake files: its statistics would be published empty, as a success
            throw new ConfigurationException("pipeline.stats.table", statsTable,
                    "is not one of the captured tables (pipeline.pg.tables=" + String.join(",", pgTables) + ")");
        }
        statsKeyColumn = required("pipeline.stats.key-column");
        statsVehicleColumn = required("pipeline.stats.vehicle-column");
        statsStartColumn = required("pipeline.stats.start-column");
        statsEndColumn = required("pipeline.stats.end-column");
        statsDistanceColumn = required("pipeline.stats.distance-column");
        statsKeepDeletedAfter = optional("pipeline.stats.keep-deleted-after").isEmpty() ? null : duration("pipeline.stats.keep-deleted-after");
        statsRestateInterval = durationOrOff("pipeline.stats.restate-interval");
        statsRestateMonths = positiveInt("pipeline.stats.restate-months");
        httpPort = port("pipeline.http.port");
        hawtioPort = port("pipeline.hawtio.port");
        hawtioHost = required("pipeline.hawtio.host");
        hawtioUser = optional("pipeline.hawtio.user");
        hawtioPassword = optional("pipeline.hawtio.password");
        if (!hawtioPassword.isEmpty() && hawtioUser.isEmpty()) {
            throw new ConfigurationException("pipeline.hawtio.user", "", "set a user name for the Hawtio console's password");
        }
        if (s3AccessKey.isEmpty() != s3SecretKey.isEmpty()) {
            throw new ConfigurationException("pipeline.s3.access-key", s3AccessKey.isEmpty() ? "" : "(set)",
                    "set both pipeline.s3.access-key and pipeline.s3.secret-key, or neither for the AWS default credentials");
        }
    }

    /** The Kafka change topic of a captured table: {@code {prefix}.{schema}.{table}}. */
    public String changeTopic(String table) {
        return topicPrefix + "." + table;
    }

    public String deadLetterTopic() {
        return topicPrefix + ".dlq";
    }

    private String optional(String key) {
        String value = source.apply(key);
        return value == null ? "" : value.trim();
    }

    /** An optional path that, when given, must name a readable file. */
    private String optionalFile(String key) {
        String value = optional(key);
        if (!value.isEmpty() && !java.nio.file.Files.isReadable(java.nio.file.Path.of(value))) {
            throw new ConfigurationException(key, value, "is not a readable file");
        }
        return value;
    }

    private String required(String key) {
        String value = optional(key);
        if (value.isEmpty()) {
            throw new ConfigurationException(key, value, "must not be empty");
        }
        return value;
    }

    private int port(String key) {
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

    private int positiveInt(String key) {
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

    private Duration duration(String key) {
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
    private Duration durationOrOff(String key) {
        return "0".equals(optional(key)) ? Duration.ZERO : duration(key);
    }

    /** A size such as 256MB, 64KB or 1GB (powers of 1024), from 1 MB up to the 5 GB a single S3 upload takes. */
    private long size(String key) {
        String value = required(key);
        Matcher matcher = SIZE.matcher(value);
        if (!matcher.matches()) {
            throw new ConfigurationException(key, value, "not a size such as 64MB, 256MB or 1GB");
        }
        int shift = switch (matcher.group(2).toUpperCase(java.util.Locale.ROOT)) {
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

    private ZoneId zone(String key) {
        String value = required(key);
        try {
            return ZoneId.of(value);
        } catch (DateTimeException e) {
            throw new ConfigurationException(key, value, "unknown time zone (use a region id such as UTC or Europe/Paris)");
        }
    }

    private String cron(String key) {
        String value = required(key);
        try {
            CronExpression.validateExpression(value);
            return value;
        } catch (java.text.ParseException e) {
            throw new ConfigurationException(key, value, "not a Quartz cron expression (" + e.getMessage() + ")");
        }
    }

    private YearMonth optionalMonth(String key) {
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

    private List<String> tables(String key) {
        String value = required(key);
        List<String> tables = Arrays.stream(value.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        if (tables.isEmpty()) {
            throw new ConfigurationException(key, value, "must list at least one schema.table");
        }
        tables.forEach(table -> table(key, table));
        return tables;
    }

    private static String table(String key, String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new ConfigurationException(key, table, "not a schema.table name");
        }
        return table;
    }

    private String oneOf(String key, List<String> allowed) {
        String value = required(key);
        if (!allowed.contains(value)) {
            throw new ConfigurationException(key, value, "must be one of " + String.join(", ", allowed));
        }
        return value;
    }

    private String identifier(String key) {
        String value = required(key);
        if (!value.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigurationException(key, value, "must be a lower-case Postgres identifier (letters, digits, _)");
        }
        return value;
    }

    private String bucket(String key) {
        String value = required(key);
        if (!BUCKET.matcher(value).matches()) {
            throw new ConfigurationException(key, value, "not a valid S3 bucket name (3-63 lower-case letters, digits, '.', '-')");
        }
        return value;
    }
}
