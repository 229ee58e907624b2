package bench;

import java.nio.file.Path;

import pipeline.dev.DevServers;
import pipeline.dev.EmbeddedKafka;
import pipeline.dev.EmbeddedS3;

/** Kafka and S3 as a process of their own, so the benchmark measures the pipeline as users run it. */
public final class StandaloneServers {

    private StandaloneServers() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        int kafkaPort = Integer.parseInt(args[1]);
        int s3Port = Integer.parseInt(args[2]);
        EmbeddedKafka kafka = EmbeddedKafka.start(directory.resolve("kafka"), kafkaPort, DevServers.freePort());
        EmbeddedS3 s3 = EmbeddedS3.start(directory.resolve("s3"), s3Port, DevServers.S3_ACCESS_KEY, DevServers.S3_SECRET_KEY);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                s3.close();
                kafka.close();
            } catch (Exception ignored) {
                // exiting
            }
        }));
        System.out.println("READY kafka=" + kafka.bootstrapServers() + " s3=" + s3.endpoint());
        Thread.currentThread().join();
    }
}
