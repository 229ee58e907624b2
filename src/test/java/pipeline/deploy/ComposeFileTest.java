package pipeline.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The deployment as shipped: docker-compose.yml as docker-compose itself reads it (there is no Docker
 * engine here, so its {@code config} validation is the check), and the Dockerfile it builds.
 */
class ComposeFileTest {

    private static final Path COMPOSE_FILE = Path.of("docker-compose.yml");

    @Test
    void theComposeFileIsValidPinsEveryImageAndRunsTwoHealthCheckedInstancesWithAReachableConsole() throws Exception {
        JsonNode services = composeConfig().path("services");
        List<String> pipelines = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            JsonNode definition = service.getValue();
            if (definition.has("build")) {
                pipelines.add(service.getKey());
            } else {
                assertThat(definition.path("image").asText()).as("image of " + service.getKey() + ", pinned to a version")
                        .matches(".+:[^:/]+").doesNotEndWith(":latest");
            }
        }
        assertThat(pipelines).as("pipeline instances built from the Dockerfile").hasSize(2);
        List<String> hostPorts = new ArrayList<>();
        for (String name : pipelines) {
            JsonNode pipeline = services.path(name);
            JsonNode environment = pipeline.path("environment");
            assertThat(environment.path("PIPELINE_HAWTIO_HOST").asText()).as(name + ": the console listens beyond the container")
                    .isEqualTo("0.0.0.0");
            assertThat(environment.path("PIPELINE_HAWTIO_USER").asText()).as(name + ": console user").isNotEmpty();
            assertThat(environment.path("PIPELINE_HAWTIO_PASSWORD").asText()).as(name + ": console password").isNotEmpty();
            assertThat(pipeline.path("healthcheck").path("test").toString()).as(name + " health check").contains("/observe/health");
            for (JsonNode port : pipeline.path("ports")) {
                // docker-compose 1 writes "8090:8090", version 2 {target: 8090, published: "8090"}
                String mapping = port.isTextual() ? port.asText() : port.path("published").asText() + ":" + port.path("target").asText();
                hostPorts.add(mapping.substring(0, mapping.indexOf(':')));
                assertThat(mapping).as(name + " publishes the console or the health port").matches("\\d+:(8080|8090)");
            }
            assertThat(pipeline.path("depends_on").toString()).as(name + " waits for healthy servers").contains("service_healthy");
        }
        assertThat(hostPorts).as("host ports of the instances").doesNotHaveDuplicates().hasSize(4);
        assertThat(services.path("postgres").path("healthcheck").isMissingNode()).as("postgres health check").isFalse();
        assertThat(services.path("kafka").path("healthcheck").isMissingNode()).as("kafka health check").isFalse();
        assertThat(services.path("minio").path("healthcheck").isMissingNode()).as("minio health check").isFalse();
    }

    @Test
    void theImageRunsTheJarAsAnUnprivilegedUserWithAContainerSizedHeapAndAHealthCheck() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        assertThat(lines.stream().filter(line -> line.startsWith("FROM ")))
                .as("base images, pinned").isNotEmpty().allSatisfy(from -> assertThat(from).matches("FROM \\S+:\\S*\\d\\S*( AS \\w+)?"));
        String user = lines.stream().filter(line -> line.startsWith("USER ")).reduce((first, last) -> last).orElse("USER root");
        assertThat(user).as("the user the pipeline runs as").isNotIn("USER root", "USER 0");
        assertThat(String.join("\n", lines)).contains("-XX:MaxRAMPercentage=").contains("HEALTHCHECK").contains("/observe/health")
                .contains("trip-pipeline.jar");
    }

    /** What {@code docker-compose config} makes of the file: its own validation, variables substituted, anchors merged. */
    private static JsonNode composeConfig() throws Exception {
        Process config;
        try {
            config = new ProcessBuilder("docker-compose", "-f", COMPOSE_FILE.toString(), "config")
                    .redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException notInstalled) {
            return fail("docker-compose is needed to validate " + COMPOSE_FILE
                    + " (Debian: apt-get install docker-compose; .ci/run installs it)");
        }
        String out = new String(config.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(config.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(config.waitFor(60, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
        assertThat(config.exitValue()).as("docker-compose config: " + err).isZero();
        return new YAMLMapper().readTree(out);
    }
}
