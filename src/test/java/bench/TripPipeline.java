package bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import pipeline.dev.DevServers;

/** trip-pipeline as users run it: {@code java -jar target/trip-pipeline.jar}, configured only by PIPELINE_* variables. */
final class TripPipeline implements CdcSystem {

    private final BenchSettings settings;

    TripPipeline(BenchSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "pipeline";
    }

    @Override
    public boolean writesLake() {
        return true;
    }

    @Override
    public RunningSystem start(Turn turn) throws Exception {
        URI postgres = URI.create(settings.jdbcUrl().substring("jdbc:".length()));
        Path log = settings.logDirectory().resolve(turn.id() + ".log");
        // the same heap limit as the peer and no -Xms for either, so their RSS compare
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx2g"));
        command.addAll(settings.pipelineJavaOptions());
        command.addAll(List.of("-jar", settings.pipelineJar().toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("PIPELINE_PG_HOST", postgres.getHost());
        env.put("PIPELINE_PG_PORT", String.valueOf(postgres.getPort()));
        env.put("PIPELINE_PG_DATABASE", postgres.getPath().substring(1));
        env.put("PIPELINE_PG_SLOT", turn.slot());
        env.put("PIPELINE_PG_PUBLICATION", turn.publication());
        env.put("PIPELINE_KAFKA_BROKERS", settings.kafkaBrokers());
        env.put("PIPELINE_KAFKA_TOPIC_PREFIX", turn.topicPrefix());
        env.put("PIPELINE_KAFKA_GROUP_ID", turn.lakeGroup());
        env.put("PIPELINE_S3_ENDPOINT", settings.s3Endpoint());
        env.put("PIPELINE_S3_BUCKET", turn.bucket());
        env.put("PIPELINE_S3_ACCESS_KEY", DevServers.S3_ACCESS_KEY);
        env.put("PIPELINE_S3_SECRET_KEY", DevServers.S3_SECRET_KEY);
        // files every 5 s at most (default 60 s) so the last partial batch of a measurement does not wait a minute
        env.put("PIPELINE_LAKE_FLUSH_INTERVAL", "5s");
        env.put("PIPELINE_HTTP_PORT", String.valueOf(DevServers.freePort()));
        env.put("PIPELINE_HAWTIO_PORT", String.valueOf(DevServers.freePort()));
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new RunningSystem(builder.start(), log, turn);
    }
}
