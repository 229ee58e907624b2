package pipeline.it;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;
import pipeline.config.PipelineSettings;
import pipeline.config.PipelineSettingsTest;
import pipeline.config.S3Clients;
import pipeline.dev.DevServers;
import pipeline.observe.DependencyHealthCheck;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/** The s3 check against a real S3 server: what an operator reads when it refuses the pipeline's keys. */
class S3HealthTest {

    @Test
    void aWrongSecretKeyIsNamedAsSuch() throws Exception {
        String bucket = "health-" + System.nanoTime();
        HealthCheck.Result result = check(bucket, DevServers.S3_SECRET_KEY + "-mistyped");

        assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(result.getMessage()).hasValue("S3 refused access to bucket " + bucket + " (403 Forbidden): "
                + "pipeline.s3.access-key or secret-key is wrong, or the bucket belongs to another account");
    }

    @Test
    void theRightKeysAreUpEvenBeforeTheBucketExists() throws Exception {
        assertThat(check("health-" + System.nanoTime(), DevServers.S3_SECRET_KEY).getState()).isEqualTo(HealthCheck.State.UP);
    }

    private static HealthCheck.Result check(String bucket, String secretKey) throws Exception {
        Map<String, String> properties = PipelineSettingsTest.defaults();
        properties.put("pipeline.s3.endpoint", SharedServers.get().s3.endpoint());
        properties.put("pipeline.s3.bucket", bucket);
        properties.put("pipeline.s3.access-key", DevServers.S3_ACCESS_KEY);
        properties.put("pipeline.s3.secret-key", secretKey);
        PipelineSettings settings = new PipelineSettings(properties::get);
        try (S3Client s3 = S3Clients.create(settings)) {
            return DependencyHealthCheck.s3(settings, s3).call();
        }
    }
}
