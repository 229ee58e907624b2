package pipeline.stats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.avro.AvroReadSupport;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;

/**
 * Resolves the trips of a month from the raw lake: the latest version of every key (by __lsn,
 * then __kafka_offset) that is not deleted and starts in the month. A trip whose latest version
 * starts in the month has that version in the month's partitions, so those files are read for the
 * mapped trip columns; every other file is read for its key and position columns only, to learn which candidates were
 * later changed, moved to another month or deleted.
 */
public final class LakeTrips {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LakeTrips.class);

    /** Counts of what was read, for the manifest and the logs. */
    public record Reading(int files, long events) {
    }

    private final TripColumns columns;
    private final ZoneId zone;

    public LakeTrips(TripColumns columns, ZoneId zone) {
        this.columns = columns;
        this.zone = zone;
    }

    /**
     * @param objectKeys every raw file of the table
     * @param download   fetches one file's bytes
     * @param trips      receives each trip of the month once
     */
    public Reading read(YearMonth month, List<String> objectKeys, Function<String, byte[]> download, Consumer<Trip> trips) {
        String monthPartition = String.format("/year=%04d/month=%02d/", month.getYear(), month.getMonthValue());
        Map<Object, Candidate> candidates = new HashMap<>();
        // mapped columns found in at least one file: a column added to the source later is absent from older files
        java.util.Set<String> seenColumns = new java.util.HashSet<>();
        Progress progress = new Progress(month, objectKeys.size());
        int monthFiles = 0;
        for (String key : objectKeys) {
            if (key.contains(monthPartition)) {
                monthFiles++;
                progress.fileRead(scan(key, download, new String[] {columns.key(), columns.vehicle(), columns.start(),
                        columns.end(), columns.distance(), "__deleted", "__lsn", "__kafka_offset"}, seenColumns,
                        record -> offerCandidate(candidates, record, month)));
            }
        }
        for (String key : objectKeys) {
            if (!key.contains(monthPartition)) {
                progress.fileRead(scan(key, download, new String[] {columns.key(), "__lsn", "__kafka_offset"}, seenColumns,
                        record -> supersede(candidates, record)));
            }
        }
        if (monthFiles > 0) {
            for (String column : List.of(columns.vehicle(), columns.end(), columns.distance())) {
                if (!seenColumns.contains(column)) {
                    throw new IllegalArgumentException("column " + column + " is not in the lake files of the table");
                }
            }
        }
        long events = progress.events;
        for (Candidate candidate : candidates.values()) {
            if (candidate.trip != null) {
                trips.accept(candidate.trip);
            }
        }
        return new Reading(objectKeys.size(), events);
    }

    private void offerCandidate(Map<Object, Candidate> candidates, GenericRecord record, YearMonth month) {
        Object key = keyOf(record);
        Candidate current = candidates.get(key);
        long lsn = lsnOf(record);
        long offset = (Long) record.get("__kafka_offset");
        if (current != null && !current.isOlderThan(lsn, offset)) {
            return;
        }
        Trip trip = Boolean.TRUE.equals(record.get("__deleted")) ? null : toTrip(record);
        if (trip != null && !YearMonth.from(trip.startDay()).equals(month)) {
            trip = null;
        }
        candidates.put(key, new Candidate(lsn, offset, trip));
    }

    private void supersede(Map<Object, Candidate> candidates, GenericRecord record) {
        Candidate current = candidates.get(keyOf(record));
        if (current != null && current.isOlderThan(lsnOf(record), (Long) record.get("__kafka_offset"))) {
            candidates.put(keyOf(record), new Candidate(lsnOf(record), (Long) record.get("__kafka_offset"), null));
        }
    }

    private Object keyOf(GenericRecord record) {
        Object key = record.get(columns.key());
        return key instanceof CharSequence text ? text.toString() : key instanceof ByteBuffer bytes ? bytes.duplicate() : key;
    }

    private static long lsnOf(GenericRecord record) {
        Object lsn = record.get("__lsn");
        return lsn == null ? Long.MIN_VALUE : (Long) lsn;
    }

    private Trip toTrip(GenericRecord record) {
        Schema schema = record.getSchema();
        Object vehicle = valueOf(record, columns.vehicle());
        Object start = record.get(columns.start());
        if (vehicle == null || start == null) {
            return null;
        }
        long startMicros = micros(start, fieldType(schema, columns.start()));
        LocalDate day = isWallTime(fieldType(schema, columns.start()))
                ? LocalDateTime.ofEpochSecond(Math.floorDiv(startMicros, 1_000_000L), 0, ZoneOffset.UTC).toLocalDate()
                : Instant.EPOCH.plusNanos(startMicros * 1000).atZone(zone).toLocalDate();
        Object end = valueOf(record, columns.end());
        Object distance = valueOf(record, columns.distance());
        return new Trip(vehicle.toString(), startMicros, day,
                end == null ? null : micros(end, fieldType(schema, columns.end())),
                distance == null ? null : number(distance, fieldType(schema, columns.distance())));
    }

    /** The column's value, or null in a file written before the column existed. */
    private static Object valueOf(GenericRecord record, String column) {
        return record.getSchema().getField(column) == null ? null : record.get(column);
    }

    private static Schema fieldType(Schema record, String column) {
        Schema.Field field = record.getField(column);
        if (field == null) {
            throw new IllegalArgumentException("column " + column + " is not in the lake files of the table");
        }
        Schema type = field.schema();
        if (type.getType() == Schema.Type.UNION) {
            type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElseThrow();
        }
        return type;
    }

    private static boolean isWallTime(Schema type) {
        return type.getLogicalType() instanceof LogicalTypes.LocalTimestampMicros
                || type.getLogicalType() instanceof LogicalTypes.LocalTimestampMillis;
    }

    private static long micros(Object value, Schema type) {
        LogicalType logical = type.getLogicalType();
        if (value instanceof Instant instant) {
            return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
        }
        if (value instanceof LocalDateTime local) {
            Instant instant = local.toInstant(ZoneOffset.UTC);
            return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
        }
        long raw = ((Number) value).longValue();
        return logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.LocalTimestampMillis ? raw * 1000 : raw;
    }

    private static double number(Object value, Schema type) {
        if (value instanceof BigDecimal decimal) {
            return decimal.doubleValue();
        }
        if (value instanceof ByteBuffer bytes && type.getLogicalType() instanceof LogicalTypes.Decimal decimal) {
            byte[] unscaled = new byte[bytes.remaining()];
            bytes.duplicate().get(unscaled);
            return new BigDecimal(new BigInteger(unscaled), decimal.getScale()).doubleValue();
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        return Double.parseDouble(value.toString());
    }

    private long scan(String key, Function<String, byte[]> download, String[] projection, java.util.Set<String> seenColumns,
                      Consumer<GenericRecord> sink) {
        try {
            return scan(download.apply(key), projection, seenColumns, sink);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // the message is what the operator reads: it names the object, the cause stays for the stack trace
            IllegalStateException unreadable = new IllegalStateException(
                    "unreadable lake file " + key + ": " + pipeline.config.RootCause.of(e).getMessage());
            unreadable.addSuppressed(e);
            throw unreadable;
        }
    }

    private long scan(byte[] file, String[] projection, java.util.Set<String> seenColumns, Consumer<GenericRecord> sink) {
        PlainParquetConfiguration configuration = new PlainParquetConfiguration();
        InMemoryInputFile input = new InMemoryInputFile(file);
        configuration.set(AvroReadSupport.AVRO_REQUESTED_PROJECTION, projectionSchema(input, projection, seenColumns).toString());
        long count = 0;
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(input)
                .withDataModel(GenericData.get()).withConf(configuration).build()) {
            for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
                sink.accept(record);
                count++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable lake file: " + e.getMessage(), e);
        }
        return count;
    }

    /** The requested columns of the file; the key and the start must be there, the others may be younger than the file. */
    private Schema projectionSchema(InMemoryInputFile input, String[] requested, java.util.Set<String> seenColumns) {
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(input)) {
            Schema full = new org.apache.parquet.avro.AvroSchemaConverter().convert(reader.getFooter().getFileMetaData().getSchema());
            List<Schema.Field> fields = new java.util.ArrayList<>();
            for (String name : requested) {
                Schema.Field field = full.getField(name);
                if (field != null) {
                    seenColumns.add(name);
                    fields.add(new Schema.Field(field, field.schema()));
                } else if (name.equals(columns.key()) || name.equals(columns.start()) || name.startsWith("__")) {
                    throw new IllegalArgumentException("column " + name + " is not in the lake files of the table");
                }
            }
            return Schema.createRecord(full.getName(), null, full.getNamespace(), false, fields);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable lake file: " + e.getMessage(), e);
        }
    }

    /** Logs files and events read, and the rate, at most every ten seconds. */
    private static final class Progress {
        private static final long INTERVAL_NANOS = 10_000_000_000L;
        private final YearMonth month;
        private final int files;
        private final long started = System.nanoTime();
        private long lastLog = started;
        private int filesRead;
        private long events;

        Progress(YearMonth month, int files) {
            this.month = month;
            this.files = files;
        }

        void fileRead(long fileEvents) {
            filesRead++;
            events += fileEvents;
            long now = System.nanoTime();
            if (now - lastLog >= INTERVAL_NANOS) {
                lastLog = now;
                LOG.info("Statistics for {}: {}/{} files, {} events read, {} events/s", month, filesRead, files, events,
                        Math.round(events / ((now - started) / 1e9)));
            }
        }
    }

    private record Candidate(long lsn, long offset, Trip trip) {
        boolean isOlderThan(long otherLsn, long otherOffset) {
            return lsn < otherLsn || (lsn == otherLsn && offset < otherOffset);
        }
    }
}
