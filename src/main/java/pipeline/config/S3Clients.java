package pipeline.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The S3 client of the pipeline.s3.* settings. */
public final class S3Clients {

    private S3Clients() {
    }

    public static S3Client create(PipelineSettings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.s3.region))
                // S3Proxy rejects the SDK's default checksum trailers; MinIO and AWS accept both
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!settings.s3.endpoint.isEmpty()) {
            builder.endpointOverride(URI.create(settings.s3.endpoint)).forcePathStyle(true);
        }
        if (settings.s3.accessKey.isEmpty()) {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        } else {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.s3.accessKey, settings.s3.secretKey)));
        }
        return builder.build();
    }

    /**
     * The same client, built on a thread of its own while the caller carries on; a call waits until it
     * is built. Building one loads some 2,000 classes of the AWS SDK, about a second of CPU that the
     * routes need not wait for at start-up: S3 is first used after they run.
     */
    public static S3Client createInBackground(PipelineSettings settings) {
        FutureTask<S3Client> build = new FutureTask<>(() -> create(settings));
        Thread builder = new Thread(build, "s3-client-build");
        builder.setDaemon(true);
        builder.start();
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> switch (method.getName()) {
                    // registries hash and print their beans: those calls must not wait for the build
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "S3Client built in the background";
                    default -> {
                        try {
                            yield method.invoke(build.get(), args);
                        } catch (InvocationTargetException | ExecutionException e) {
                            throw e.getCause();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw AbortedException.create("interrupted while the S3 client was being built", e);
                        }
                    }
                });
    }
}
