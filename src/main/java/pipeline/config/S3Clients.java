package pipeline.config;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** The S3 client of the pipeline.s3.* settings. */
public final class S3Clients {

    private S3Clients() {
    }

    public static S3Client create(PipelineSettings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.s3Region))
                // S3Proxy rejects the SDK's default checksum trailers; MinIO and AWS accept both
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (!settings.s3Endpoint.isEmpty()) {
            builder.endpointOverride(URI.create(settings.s3Endpoint)).forcePathStyle(true);
        }
        if (settings.s3AccessKey.isEmpty()) {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        } else {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.s3AccessKey, settings.s3SecretKey)));
        }
        return builder.build();
    }
}
