package routes;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import pipeline.cdc.PipelineTopics;
import pipeline.config.PipelineSettings;

/**
 * kafka-to-s3: batches of change events from the table topics become Snappy Parquet files in S3;
 * records that cannot be converted go to the dead-letter topic. The batch's offsets are committed
 * only after every file and dead letter of it is stored, so a crash anywhere before replays the
 * batch, and the deterministic file names make the replay overwrite instead of duplicate.
 */
public class KafkaToS3Route extends EndpointRouteBuilder {

    @BeanInject
    private PipelineSettings settings;

    @Override
    public void configure() {
        String topics = String.join(",", settings.pg.tables.stream().map(settings.kafka::changeTopic).toList());

        // @formatter:off (the indentation shows where each split's block ends)
        from(PipelineConfiguration.KAFKA_LAKE_SCHEME + ":" + topics)
                .routeId("kafka-to-s3")
                .routeConfigurationId(RetryPolicy.UNTIL_STORED)
                .split().method("deadLetters", "of")
                    .to(kafka(settings.kafka.deadLetterTopic())
                            .keySerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                            .valueSerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                            .requestRequiredAcks("all")
                            .compressionCodec("{{pipeline.kafka.compression}}")
                            // a record that was too large to be a change event may still be dead-lettered
                            .maxRequestSize(PipelineTopics.MAX_RECORD_BYTES))
                    .id("dead-letter")
                .end()
                // a batch spread over many day partitions is many files: they are stored side by side
                .split(simple("${body.files}")).parallelProcessing()
                    .setHeader(AWS2S3Constants.KEY, simple("${body.objectKey}"))
                    .setHeader(AWS2S3Constants.CONTENT_LENGTH, simple("${body.contentLength}"))
                    .setBody(simple("${body.content}"))
                    // resolved at the first upload: S3 being away at start-up is then retried like a failed upload
                    .toD(aws2S3("{{pipeline.s3.bucket}}").autoCreateBucket(true))
                    .id("upload-parquet")
                .end()
                .bean("pipelineMetrics", "lakeBatchStored");
        // @formatter:on
    }
}
