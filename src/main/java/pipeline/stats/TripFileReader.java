package pipeline.stats;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import pipeline.lake.InMemoryInputFile;
import pipeline.lake.LakeFormat;

/**
 * Decodes the columns the statistics need from one raw lake file, column chunk by column chunk with
 * parquet-column's readers, straight into primitive arrays: no record or value object per row.
 * Values are converted the way the contract's SQL casts them ({@code ::text}, {@code ::float8}).
 */
final class TripFileReader {

    private static final long NO_LSN = Long.MIN_VALUE;
    private static final Object NULL_KEY = new Object();
    private static final UnaryOperator<Object> COPY_BYTES = value -> value instanceof Binary binary ? binary.copy() : value;
    /** Powers of ten a double holds exactly; with an integer below 2^52, one division rounds correctly. */
    private static final double[] EXACT_POWERS_OF_TEN = {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private final TripColumns columns;
    private final MonthDays monthDays;
    private final VehicleDictionary vehicles;

    TripFileReader(TripColumns columns, MonthDays monthDays, VehicleDictionary vehicles) {
        this.columns = columns;
        this.monthDays = monthDays;
        this.vehicles = vehicles;
    }

    /**
     * Reads a file's key, change position and kind (deleted, captured, commit time) and its end, plus
     * the other trip columns when {@code withTrips}.
     */
    TripFile read(byte[] content, boolean withTrips) throws IOException {
        InMemoryInputFile input = new InMemoryInputFile(content);
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(input, options)) {
            MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
            String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
            List<String> wanted = new ArrayList<>(List.of(columns.key(), LakeFormat.LSN, LakeFormat.KAFKA_OFFSET,
                    LakeFormat.DELETED, LakeFormat.OP, LakeFormat.SOURCE_TS_MS));
            Set<String> optionalPresent = new HashSet<>();
            if (withTrips) {
                wanted.add(columns.start());
            }
            for (String optional : withTrips ? List.of(columns.vehicle(), columns.end(), columns.distance()) : List.of(columns.end())) {
                if (fileSchema.containsField(optional)) {
                    wanted.add(optional);
                    optionalPresent.add(optional);
                }
            }
            List<Type> fields = new ArrayList<>();
            for (String name : wanted) {
                if (!fileSchema.containsField(name)) {
                    throw new IllegalArgumentException("column " + name + " is not in the lake files of the table");
                }
                fields.add(fileSchema.getType(name));
            }
            MessageType projection = new MessageType(fileSchema.getName(), fields);
            reader.setRequestedSchema(projection);

            int rows = Math.toIntExact(reader.getRecordCount());
            PrimitiveType keyType = projection.getType(columns.key()).asPrimitiveType();
            boolean integerKey = isInteger(keyType);
            TripFile file = new TripFile(rows, integerKey ? new long[rows] : null, integerKey ? null : new Object[rows],
                    new long[rows], new long[rows]);
            file.optionalColumns = optionalPresent;
            file.endMicros = new long[rows];
            file.hasEnd = new boolean[rows];
            if (withTrips) {
                file.vehicle = new int[rows];
                file.startMicros = new long[rows];
                file.startDay = new byte[rows];
                file.distance = new double[rows];
                file.hasDistance = new boolean[rows];
                if (!optionalPresent.contains(columns.vehicle())) {
                    java.util.Arrays.fill(file.vehicle, TripFile.NO_TRIP);
                }
            }

            boolean[] hasStart = new boolean[rows];
            int first = 0;
            for (PageReadStore rowGroup = reader.readNextRowGroup(); rowGroup != null; rowGroup = reader.readNextRowGroup()) {
                int count = Math.toIntExact(rowGroup.getRowCount());
                ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup, new IgnoredValues(fields.size()), projection, createdBy);
                ColumnReader key = column(store, projection, columns.key());
                if (integerKey) {
                    readLongs(key, first, count, file.longKeys, null, 1, 0);
                } else {
                    readObjectKeys(key, first, count, file.otherKeys);
                }
                readLongs(column(store, projection, LakeFormat.LSN), first, count, file.lsn, null, 1, NO_LSN);
                readLongs(column(store, projection, LakeFormat.KAFKA_OFFSET), first, count, file.kafkaOffset, null, 1, 0);
                readBooleans(column(store, projection, LakeFormat.DELETED), first, count, file.deleted);
                readCaptured(column(store, projection, LakeFormat.OP), first, count, file.captured);
                readLongs(column(store, projection, LakeFormat.SOURCE_TS_MS), first, count, file.commitMillis, null, 1, 0);
                if (optionalPresent.contains(columns.end())) {
                    ColumnReader end = column(store, projection, columns.end());
                    file.endIsWallTime = !timestamp(end, columns.end()).isAdjustedToUTC();
                    readLongs(end, first, count, file.endMicros, file.hasEnd, microsPerUnit(end), 0);
                }
                if (withTrips) {
                    ColumnReader start = column(store, projection, columns.start());
                    boolean wallTime = !timestamp(start, columns.start()).isAdjustedToUTC();
                    file.startIsWallTime = wallTime;
                    readLongs(start, first, count, file.startMicros, hasStart, microsPerUnit(start), 0);
                    if (optionalPresent.contains(columns.distance())) {
                        readDoubles(column(store, projection, columns.distance()), first, count, file.distance, file.hasDistance);
                    }
                    if (optionalPresent.contains(columns.vehicle())) {
                        readVehicles(column(store, projection, columns.vehicle()), first, count, file.vehicle);
                    }
                    for (int row = first; row < first + count; row++) {
                        int day = hasStart[row] ? monthDays.dayOf(file.startMicros[row], wallTime) : -1;
                        if (file.deleted[row] || day < 0) {
                            file.vehicle[row] = TripFile.NO_TRIP;
                        } else {
                            file.startDay[row] = (byte) day;
                        }
                    }
                }
                first += count;
            }
            return file;
        }
    }

    private static ColumnReader column(ColumnReadStoreImpl store, MessageType projection, String name) {
        return store.getColumnReader(projection.getColumnDescription(new String[] {name}));
    }

    private static boolean isInteger(PrimitiveType type) {
        return (type.getPrimitiveTypeName() == PrimitiveTypeName.INT64 || type.getPrimitiveTypeName() == PrimitiveTypeName.INT32)
                && !(type.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation);
    }

    private static boolean isPresent(ColumnReader column) {
        return column.getCurrentDefinitionLevel() == column.getDescriptor().getMaxDefinitionLevel();
    }

    private static TimestampLogicalTypeAnnotation timestamp(ColumnReader column, String name) {
        PrimitiveType type = column.getDescriptor().getPrimitiveType();
        if (type.getPrimitiveTypeName() != PrimitiveTypeName.INT64
                || !(type.getLogicalTypeAnnotation() instanceof TimestampLogicalTypeAnnotation timestamp)) {
            throw new IllegalArgumentException("column " + name + " is " + type + " in the lake, not a timestamp");
        }
        return timestamp;
    }

    private static long microsPerUnit(ColumnReader column) {
        TimestampLogicalTypeAnnotation timestamp = (TimestampLogicalTypeAnnotation) column.getDescriptor().getPrimitiveType()
                .getLogicalTypeAnnotation();
        return switch (timestamp.getUnit()) {
            case MILLIS -> 1000;
            case MICROS -> 1;
            case NANOS -> -1000;
        };
    }

    /** Integers into {@code into[first...]}; a positive scale multiplies, a negative one divides (nanos to micros). */
    private static void readLongs(ColumnReader column, int first, int count, long[] into, boolean[] present, long scale, long absent) {
        boolean int32 = column.getDescriptor().getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.INT32;
        for (int i = 0; i < count; i++) {
            if (isPresent(column)) {
                long value = int32 ? column.getInteger() : column.getLong();
                into[first + i] = scale == 1
                        ? value
                        : scale > 0
                                ? Math.multiplyExact(value, scale)
                                : Math.floorDiv(value, -scale);
                if (present != null) {
                    present[first + i] = true;
                }
            } else {
                into[first + i] = absent;
            }
            column.consume();
        }
    }

    private static void readBooleans(ColumnReader column, int first, int count, boolean[] into) {
        for (int i = 0; i < count; i++) {
            into[first + i] = isPresent(column) && column.getBoolean();
            column.consume();
        }
    }

    /** Whether each change was captured from the log ({@code __op} c, u or d) rather than read by the snapshot (r). */
    private static void readCaptured(ColumnReader column, int first, int count, boolean[] into) {
        for (int i = 0; i < count; i++) {
            into[first + i] = isPresent(column) && column.getBinary().length() == 1 && column.getBinary().getBytesUnsafe()[0] != 'r';
            column.consume();
        }
    }

    private static void readObjectKeys(ColumnReader column, int first, int count, Object[] into) {
        PrimitiveTypeName type = column.getDescriptor().getPrimitiveType().getPrimitiveTypeName();
        for (int i = 0; i < count; i++) {
            if (!isPresent(column)) {
                into[first + i] = NULL_KEY;
            } else {
                into[first + i] = switch (type) {
                    case BINARY, FIXED_LEN_BYTE_ARRAY, INT96 -> column.getBinary().copy();
                    case BOOLEAN -> column.getBoolean();
                    case FLOAT -> column.getFloat();
                    case DOUBLE -> column.getDouble();
                    case INT32 -> (long) column.getInteger();
                    case INT64 -> column.getLong();
                };
            }
            column.consume();
        }
    }

    /** The distance as {@code ::float8} gives it. */
    private static void readDoubles(ColumnReader column, int first, int count, double[] into, boolean[] present) {
        PrimitiveType type = column.getDescriptor().getPrimitiveType();
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        int scale = logical instanceof DecimalLogicalTypeAnnotation decimal ? decimal.getScale() : 0;
        PrimitiveTypeName physical = type.getPrimitiveTypeName();
        boolean text = logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation;
        boolean bytes = physical == PrimitiveTypeName.BINARY || physical == PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY;
        if (physical == PrimitiveTypeName.BOOLEAN || physical == PrimitiveTypeName.INT96
                || (bytes && !text && !(logical instanceof DecimalLogicalTypeAnnotation))) {
            throw new IllegalArgumentException("column " + column.getDescriptor().getPath()[0] + " is " + type
                    + " in the lake, not a number");
        }
        for (int i = 0; i < count; i++) {
            if (isPresent(column)) {
                into[first + i] = switch (physical) {
                    case DOUBLE -> column.getDouble();
                    case FLOAT -> column.getFloat();
                    case INT32 -> decimal(column.getInteger(), scale);
                    case INT64 -> decimal(column.getLong(), scale);
                    default -> text ? Double.parseDouble(column.getBinary().toStringUsingUTF8()) : decimal(column.getBinary(), scale);
                };
                present[first + i] = true;
            }
            column.consume();
        }
    }

    private static double decimal(long unscaled, int scale) {
        if (scale == 0) {
            return unscaled;
        }
        if (Math.abs(unscaled) < 1L << 52 && scale < EXACT_POWERS_OF_TEN.length) {
            return unscaled / EXACT_POWERS_OF_TEN[scale];
        }
        return BigDecimal.valueOf(unscaled, scale).doubleValue();
    }

    private static double decimal(Binary unscaledBigEndian, int scale) {
        int length = unscaledBigEndian.length();
        if (length <= 8) {
            java.nio.ByteBuffer bytes = unscaledBigEndian.toByteBuffer();
            long unscaled = length == 0 ? 0 : bytes.get(bytes.position());
            for (int i = 1; i < length; i++) {
                unscaled = (unscaled << 8) | (bytes.get(bytes.position() + i) & 0xFF);
            }
            return decimal(unscaled, scale);
        }
        return new BigDecimal(new BigInteger(unscaledBigEndian.getBytes()), scale).doubleValue();
    }

    /** The vehicle, numbered in the run's dictionary, which keeps its text as {@code ::text} gives it. */
    private void readVehicles(ColumnReader column, int first, int count, int[] into) {
        PrimitiveType type = column.getDescriptor().getPrimitiveType();
        PrimitiveTypeName physical = type.getPrimitiveTypeName();
        int scale = type.getLogicalTypeAnnotation() instanceof DecimalLogicalTypeAnnotation decimal ? decimal.getScale() : -1;
        if (physical == PrimitiveTypeName.FLOAT || physical == PrimitiveTypeName.DOUBLE || physical == PrimitiveTypeName.INT96) {
            throw new IllegalArgumentException("column " + column.getDescriptor().getPath()[0] + " is " + type
                    + " in the lake, which cannot identify a vehicle");
        }
        Function<Object, String> text = value -> vehicleText(value, scale);
        for (int i = 0; i < count; i++) {
            if (!isPresent(column)) {
                into[first + i] = TripFile.NO_TRIP;
            } else {
                Object value = switch (physical) {
                    case INT32 -> (long) column.getInteger();
                    case INT64 -> column.getLong();
                    case BOOLEAN -> column.getBoolean();
                    default -> column.getBinary();
                };
                into[first + i] = vehicles.idOf(value, COPY_BYTES, text);
            }
            column.consume();
        }
    }

    private static String vehicleText(Object value, int decimalScale) {
        if (value instanceof Binary binary) {
            return decimalScale >= 0
                    ? new BigDecimal(new BigInteger(binary.getBytes()), decimalScale).toPlainString()
                    : binary.toStringUsingUTF8();
        }
        if (value instanceof Long number && decimalScale >= 0) {
            return BigDecimal.valueOf(number, decimalScale).toPlainString();
        }
        return value.toString();
    }

    /** parquet-column's readers want a converter per column; the values are taken from the readers instead. */
    private static final class IgnoredValues extends GroupConverter {
        private final PrimitiveConverter ignored = new PrimitiveConverter() {
        };
        private final int fields;

        IgnoredValues(int fields) {
            this.fields = fields;
        }

        @Override
        public Converter getConverter(int fieldIndex) {
            if (fieldIndex >= fields) {
                throw new IndexOutOfBoundsException(fieldIndex);
            }
            return ignored;
        }

        @Override
        public void start() {
        }

        @Override
        public void end() {
        }
    }
}
