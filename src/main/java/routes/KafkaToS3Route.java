package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import pipeline.cdc.PipelineTopics;
import pipeline.config.KafkaClients;
import pipeline.config.PipelineSettings;

/**
 * kafka-to-s3: batches of change events from the table topics become Snappy Parquet files in S3;
 * records that cannot be converted go to the dead-letter topic. Offsets are committed only after
 * every file and dead letter of the batch is stored, so a crash anywhere before replays the batch,
 * and the deterministic file names make the replay overwrite instead of duplicate.
 */
public class KafkaToS3Route extends EndpointRouteBuilder {

    @BeanInject
    private PipelineSettings settings;

    @Override
    public void configure() {
        errorHandler(defaultErrorHandler()
                .maximumRedeliveries(-1)
                .redeliveryDelay(1000)
                .useExponentialBackOff()
                .maximumRedeliveryDelay(30_000)
                .retryAttemptedLogLevel(LoggingLevel.WARN));

        String topics = String.join(",", settings.pgTables.stream().map(settings::changeTopic).toList());
        KafkaConfiguration kafka = getCamelContext().getComponent("kafka", KafkaComponent.class).getConfiguration();

        from(kafka(topics)
                .groupId("{{pipeline.kafka.group-id}}")
                .autoOffsetReset("earliest")
                .keyDeserializer("org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .valueDeserializer("org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .batching(true)
                .maxPollRecords(settings.flushMaxRecords)
                .batchingIntervalMs((int) settings.flushInterval.toMillis())
                .autoCommitEnable(false)
                .allowManualCommit(true)
                // an idle consumer group woke the process five times a second: a fetch waits longer (below the
                // request timeout, or the client gives up on it), a heartbeat goes out every third of the session
                // timeout as Kafka advises (its 3 s is a third of an older default), and the heartbeat thread looks
                // whether one is due every 1 s, Kafka's own ceiling of that retry back-off, instead of every 100 ms
                .fetchWaitMaxMs(Math.min(KafkaClients.IDLE_FETCH_WAIT_MS, kafka.getRequestTimeoutMs() / 2))
                .heartbeatIntervalMs(kafka.getSessionTimeoutMs() / 3)
                .retryBackoffMs(1000)
                // a batch may wait for S3 through retries; leaving the group for that would replay it elsewhere
                .maxPollIntervalMs(30 * 60 * 1000))
                .routeId("kafka-to-s3")
                .bean("lakeExchanges", "toLakeBatch")
                .split().method("lakeExchanges", "deadLetters")
                    .to(kafka("{{pipeline.kafka.topic-prefix}}.dlq")
                            .keySerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                            .valueSerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                            .requestRequiredAcks("all")
                            // a record that was too large to be a change event may still be dead-lettered
                            .maxRequestSize(PipelineTopics.MAX_RECORD_BYTES))
                    .id("dead-letter")
                .end()
                .split(simple("${body.files}"))
                    .setHeader(AWS2S3Constants.KEY, simple("${body.objectKey}"))
                    .setHeader(AWS2S3Constants.CONTENT_LENGTH, simple("${body.content.length}"))
                    .setBody(simple("${body.content}"))
                    // resolved at the first upload: S3 being away at start-up is then retried like a failed upload
                    .toD(aws2S3("{{pipeline.s3.bucket}}").autoCreateBucket(true))
                    .id("upload-parquet")
                .end()
                .bean("lakeExchanges", "commit")
                .bean("pipelineMetrics", "lakeBatchStored");
    }
}
