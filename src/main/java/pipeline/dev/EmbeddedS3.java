package pipeline.dev;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3-compatible server (S3Proxy) inside this JVM. Objects are plain files below the base
 * directory, so {@code <dir>/<bucket>/raw/...} can also be read directly by DuckDB.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final String endpoint;

    private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, String endpoint) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
    }

    public static EmbeddedS3 start(Path baseDir, int port, String accessKey, String secretKey) throws Exception {
        Files.createDirectories(baseDir);
        Properties overrides = new Properties();
        overrides.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                .credentials(accessKey, secretKey)
                .overrides(overrides)
                .build(BlobStoreContext.class);
        String endpoint = "http://127.0.0.1:" + port;
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create(endpoint))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start on " + endpoint + ": " + proxy.getState());
            }
            Thread.sleep(20);
        }
        return new EmbeddedS3(proxy, context, endpoint);
    }

    public String endpoint() {
        return endpoint;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
