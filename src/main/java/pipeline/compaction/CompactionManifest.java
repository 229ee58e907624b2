package pipeline.compaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The record of one partition's swap, stored beside the lake under {@code compaction/} so that a run
 * cut short anywhere is finished or undone by the next: written before the compacted files are
 * uploaded (no {@code storedAt}), and again once they all are. Until then the compacted files may be
 * deleted; after it, the files they replace may, as long as each still has the ETag it had when read.
 */
record CompactionManifest(String table, String partition, String run, List<String> replaced, List<String> replacedETags,
        List<String> compacted, String storedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code compaction/{schema.table}/year=…/month=…/day=…/{run}.json} for the raw partition {@code raw/{schema.table}/year=…/}. */
    String key() {
        return CompactionManifest.prefix(table) + partition.substring(("raw/" + table + "/").length()) + run + ".json";
    }

    static String prefix(String table) {
        return "compaction/" + table + "/";
    }

    CompactionManifest stored(Instant at) {
        return new CompactionManifest(table, partition, run, replaced, replacedETags, compacted, at.toString());
    }

    /** When the compacted files were all stored, or null while they are not. */
    Instant storedInstant() {
        return storedAt == null ? null : Instant.parse(storedAt);
    }

    byte[] json() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CompactionManifest parse(byte[] json) {
        try {
            return JSON.readValue(json, CompactionManifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable compaction manifest: " + e.getMessage(), e);
        }
    }
}
