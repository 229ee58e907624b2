package pipeline.lake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Reads the raw files a reader listed while compaction may swap them: compaction stores a day
 * partition's compacted files before it deletes the files they replace, so a listed file that is gone
 * has its rows in compacted files of its partition that the listing did not name, and those are read
 * in its place. Rows read twice that way are copies with one {@code __lsn}, which every reader of the
 * lake already resolves.
 */
public final class LakeFileReads {

    private static final Logger LOG = LoggerFactory.getLogger(LakeFileReads.class);
    /** A replacement that is itself compacted again before it is read is followed this many times. */
    private static final int MAX_REPLACEMENTS = 5;

    private final S3Client s3;
    private final String bucket;
    private final Set<String> listed;
    // a compacted file replaces many listed files: read once per pass over the listing
    private final Set<String> replacementsRead = ConcurrentHashMap.newKeySet();

    public LakeFileReads(S3Client s3, String bucket, Collection<String> listed) {
        this.s3 = s3;
        this.bucket = bucket;
        this.listed = Set.copyOf(listed);
    }

    /** Every raw Parquet file of {@code table} ({@code schema.table}), as one listing of {@code raw/{table}/}. */
    public static List<S3Object> rawFiles(S3Client s3, String bucket, String table) {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("raw/" + table + "/")).contents().stream()
                .filter(object -> object.key().endsWith(".parquet")).toList();
    }

    /** The listed file's content, or the contents of the compacted files that replaced it and were not read yet. */
    public List<byte[]> read(String key) {
        return read(key, 0);
    }

    private List<byte[]> read(String key, int replacements) {
        try {
            return List.of(s3.getObjectAsBytes(r -> r.bucket(bucket).key(key)).asByteArray());
        } catch (S3Exception e) {
            // NoSuchKeyException, or a bare 404 from servers that answer without an error code
            if (e.statusCode() == 404) {
                return replacements(key, replacements);
            }
            throw e;
        }
    }

    private List<byte[]> replacements(String vanished, int depth) {
        if (depth >= MAX_REPLACEMENTS) {
            throw new IllegalStateException("lake file " + vanished + " vanished, and so did " + MAX_REPLACEMENTS
                    + " compacted files read in its place");
        }
        String partition = vanished.substring(0, vanished.lastIndexOf('/') + 1);
        List<String> candidates = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(partition)).contents().stream()
                .map(S3Object::key)
                .filter(key -> key.startsWith(partition + LakeFormat.COMPACTED_PREFIX) && key.endsWith(".parquet"))
                .filter(key -> !listed.contains(key))
                .toList();
        List<byte[]> contents = new ArrayList<>();
        for (String candidate : candidates) {
            if (replacementsRead.add(candidate)) {
                contents.addAll(read(candidate, depth + 1));
            }
        }
        // no new compacted file: the swap was rolled back or its files were already read, and the rows are in the listing
        LOG.debug("Lake file {} was compacted away after it was listed; read {} compacted files in its place", vanished, contents.size());
        return contents;
    }
}
