package pipeline.stats;

import java.io.IOException;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.RootCause;

/**
 * Resolves the trips of a month from the raw lake: the latest version of every key (by __lsn,
 * then __kafka_offset) that is not deleted and starts in the month. A trip whose latest version
 * starts in the month has that version in the month's partitions, so those files are read for the
 * trip columns; every other file is read for its key and change position only, to learn which
 * candidates were later changed, moved to another month or deleted. Files are downloaded and
 * decoded on all cores and merged in the order listed.
 */
public final class LakeTrips {

    private static final Logger LOG = LoggerFactory.getLogger(LakeTrips.class);

    /** Counts of what was read, for the manifest and the logs. */
    public record Reading(int files, long events) {
    }

    /**
     * Heap a trip key costs while the month is read, as measured on 2 million keys: its candidate (56
     * bytes of fields, 24 to 48 in the key table), then its values in the statistics (24 to 48 bytes),
     * which take the place of the candidates as they are added. A key's delete or former end kept
     * aside counts half a key. The key budget is 60 % of the heap; the rest is left to the files being
     * decoded and everything else.
     */
    private static final long BYTES_PER_KEY = 120;
    private static final int MAX_PASSES = 64;

    private final TripColumns columns;
    private final ZoneId zone;
    /** Contract 6.1; null when every delete removes its trip. */
    private final Duration keepDeletedAfter;
    private final int threads;
    private final long maxKeysPerPass;
    private final Duration progressInterval;

    public LakeTrips(TripColumns columns, ZoneId zone, Duration keepDeletedAfter) {
        this(columns, zone, keepDeletedAfter, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() * 6 / 10 / BYTES_PER_KEY, Duration.ofSeconds(10));
    }

    LakeTrips(TripColumns columns, ZoneId zone, Duration keepDeletedAfter, int threads, long maxKeysPerPass, Duration progressInterval) {
        this.columns = columns;
        this.zone = zone;
        this.keepDeletedAfter = keepDeletedAfter;
        this.threads = threads;
        this.maxKeysPerPass = maxKeysPerPass;
        this.progressInterval = progressInterval;
    }

    /**
     * @param objectKeys every raw file of the table
     * @param downloads  for each pass over the listing, what fetches a listed file's bytes: one content, or
     *                   those of the compacted files that replaced it after the listing
     * @param statistics receives each trip of the month once
     */
    public Reading read(YearMonth month, List<String> objectKeys, Supplier<Function<String, List<byte[]>>> downloads,
            MonthlyStatistics statistics) {
        String monthPartition = String.format("/year=%04d/month=%02d/", month.getYear(), month.getMonthValue());
        List<String> monthFiles = objectKeys.stream().filter(key -> key.contains(monthPartition)).toList();
        List<String> otherFiles = objectKeys.stream().filter(key -> !key.contains(monthPartition)).toList();
        VehicleDictionary vehicles = new VehicleDictionary();
        TripFileReader reader = new TripFileReader(columns, new MonthDays(month, zone), vehicles);
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService decoders = Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "lake-reader-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            int passes = 1;
            long events = 0;
            for (int pass = 0; pass < passes; pass++) {
                // only the first pass stops at the budget, before any trip reached the statistics; the hash
                // partitions of the later passes are as large as the first one's, give or take a few keys
                TripCandidates candidates = new TripCandidates(pass, passes, pass == 0 ? maxKeysPerPass : Long.MAX_VALUE,
                        keepDeletedAfter == null ? -1 : keepDeletedAfter.toNanos() / 1000);
                Progress progress = new Progress(month, pass, passes, objectKeys.size(), progressInterval.toNanos());
                Set<String> optionalColumnsSeen = new HashSet<>();
                TimestampKinds kinds = new TimestampKinds();
                Function<String, List<byte[]>> download = downloads.get();
                try {
                    decodeInOrder(decoders, monthFiles, key -> read(reader, download.apply(key), true), file -> {
                        kinds.check(file);
                        candidates.offer(file);
                        optionalColumnsSeen.addAll(file.optionalColumns);
                        progress.fileRead(file.rows);
                    });
                } catch (TripCandidates.TooManyKeys full) {
                    long expectedKeys = (long) full.keys * monthFiles.size() / Math.max(1, progress.filesRead);
                    passes = Math.max(2 * passes, (int) Math.ceil(passes * expectedKeys / (0.8 * maxKeysPerPass)));
                    if (passes > MAX_PASSES) {
                        throw new IllegalStateException("the month's trips do not fit the heap even in " + MAX_PASSES
                                + " passes over the lake; give the JVM more heap (-Xmx)");
                    }
                    LOG.info("Statistics for {}: about {} trip keys per pass, more than the heap holds at once ({}); "
                            + "reading the lake in {} passes", month, expectedKeys, maxKeysPerPass, passes);
                    pass = -1;
                    continue;
                }
                if (!monthFiles.isEmpty()) {
                    for (String column : List.of(columns.vehicle(), columns.end(), columns.distance())) {
                        if (!optionalColumnsSeen.contains(column)) {
                            throw new IllegalArgumentException("column " + column + " is not in the lake files of the table");
                        }
                    }
                }
                decodeInOrder(decoders, otherFiles, key -> read(reader, download.apply(key), false), file -> {
                    kinds.checkEnd(file);
                    candidates.supersede(file);
                    progress.fileRead(file.rows);
                });
                Timeline starts = kinds.timeline(kinds.startIsWallTime);
                Timeline ends = kinds.timeline(kinds.endIsWallTime);
                statistics.withTimelines(starts, ends);
                candidates.addTrips(vehicles, statistics, starts, ends);
                events = progress.events;
            }
            return new Reading(objectKeys.size(), events);
        } finally {
            decoders.shutdownNow();
        }
    }

    /** Whether start and end are wall times: every file of the month must agree, and durations need both alike. */
    private final class TimestampKinds {
        private Boolean startIsWallTime;
        private Boolean endIsWallTime;

        void check(TripFile file) {
            startIsWallTime = agree(startIsWallTime, file.startIsWallTime, columns.start());
            checkEnd(file);
        }

        /** Other months' files bring ends too, for the delays. */
        void checkEnd(TripFile file) {
            if (file.optionalColumns.contains(columns.end())) {
                endIsWallTime = agree(endIsWallTime, file.endIsWallTime, columns.end());
                if (startIsWallTime != null && !endIsWallTime.equals(startIsWallTime)) {
                    throw new IllegalArgumentException("columns " + columns.start() + " and " + columns.end()
                            + " must both be timestamp or both timestamptz for trip durations");
                }
            }
        }

        private Boolean agree(Boolean known, boolean wallTime, String column) {
            if (known != null && known != wallTime) {
                throw new IllegalArgumentException("column " + column
                        + " is timestamp in some lake files of the month and timestamptz in others");
            }
            return wallTime;
        }

        Timeline timeline(Boolean wallTime) {
            return Boolean.TRUE.equals(wallTime) ? Timeline.wallTimeIn(zone) : Timeline.INSTANTS;
        }
    }

    @FunctionalInterface
    private interface Decoder {
        List<TripFile> decode(String key) throws IOException;
    }

    private static List<TripFile> read(TripFileReader reader, List<byte[]> contents, boolean monthFile) throws IOException {
        List<TripFile> files = new ArrayList<>(contents.size());
        for (byte[] content : contents) {
            files.add(reader.read(content, monthFile));
        }
        return files;
    }

    /** Decodes up to two files per thread ahead, bounding memory, and merges them one by one in list order. */
    private void decodeInOrder(ExecutorService decoders, List<String> keys, Decoder decoder, Consumer<TripFile> merge) {
        ArrayDeque<Future<List<TripFile>>> pending = new ArrayDeque<>();
        ArrayDeque<String> pendingKeys = new ArrayDeque<>();
        int next = 0;
        try {
            while (next < keys.size() || !pending.isEmpty()) {
                while (next < keys.size() && pending.size() < 2 * threads) {
                    String key = keys.get(next++);
                    pending.add(decoders.submit(() -> decoder.decode(key)));
                    pendingKeys.add(key);
                }
                String key = pendingKeys.remove();
                await(pending.remove(), key).forEach(merge);
            }
        } finally {
            // after a failure or a full pass, the files decoded ahead are not wanted any more
            pending.forEach(decoding -> decoding.cancel(true));
        }
    }

    private static List<TripFile> await(Future<List<TripFile>> decoded, String key) {
        try {
            return decoded.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading lake file " + key, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IllegalArgumentException wrongColumn) {
                throw wrongColumn;
            }
            // the message is what the operator reads: it names the object, the cause stays for the stack trace
            IllegalStateException unreadable = new IllegalStateException(
                    "unreadable lake file " + key + ": " + RootCause.of(e.getCause()).getMessage());
            unreadable.addSuppressed(e.getCause());
            throw unreadable;
        }
    }

    /** Logs files and events read, and the rate, at most once an interval. */
    private static final class Progress {
        private final long intervalNanos;
        private final YearMonth month;
        private final String pass;
        private final int files;
        private final long started = System.nanoTime();
        private long lastLog = started;
        private int filesRead;
        private long events;

        Progress(YearMonth month, int pass, int passes, int files, long intervalNanos) {
            this.intervalNanos = intervalNanos;
            this.month = month;
            this.pass = passes == 1 ? "" : String.format(" (pass %d of %d)", pass + 1, passes);
            this.files = files;
        }

        void fileRead(long fileEvents) {
            filesRead++;
            events += fileEvents;
            long now = System.nanoTime();
            if (now - lastLog >= intervalNanos) {
                lastLog = now;
                LOG.info("Statistics for {}{}: {}/{} files, {} events read, {} events/s", month, pass, filesRead, files, events,
                        Math.round(events / ((now - started) / 1e9)));
            }
        }
    }
}
