package pipeline.lake;

import java.io.ByteArrayOutputStream;

import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** A Parquet output kept in memory, so a finished file is uploaded in one PUT and never seen half-written. */
public final class ParquetBytes implements OutputFile {

    // a batch over many day partitions opens many files, most of them small: each starts small and grows
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 << 10);

    @Override
    public PositionOutputStream create(long blockSizeHint) {
        return new PositionOutputStream() {
            @Override
            public long getPos() {
                return bytes.size();
            }

            @Override
            public void write(int b) {
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }
        };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
        return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    public byte[] toByteArray() {
        return bytes.toByteArray();
    }
}
