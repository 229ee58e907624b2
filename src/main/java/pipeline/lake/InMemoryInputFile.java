package pipeline.lake;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/** A Parquet file held in memory, as downloaded from S3 in one GET. */
public final class InMemoryInputFile implements InputFile {

    private final byte[] content;

    public InMemoryInputFile(byte[] content) {
        this.content = content;
    }

    @Override
    public String toString() {
        return "the downloaded object (" + content.length + " bytes)";
    }

    @Override
    public long getLength() {
        return content.length;
    }

    @Override
    public SeekableInputStream newStream() {
        ByteArrayInputStream in = new ByteArrayInputStream(content);
        return new DelegatingSeekableInputStream(in) {
            @Override
            public long getPos() {
                return content.length - in.available();
            }

            @Override
            public void seek(long newPos) throws IOException {
                in.reset();
                if (in.skip(newPos) != newPos) {
                    throw new IOException("cannot seek to " + newPos + " in a file of " + content.length + " bytes");
                }
            }
        };
    }
}
