package routes;

import org.apache.camel.builder.endpoint.EndpointRouteBuilder;
import pipeline.cdc.PipelineTopics;

/**
 * cdc-to-kafka: Debezium reads Postgres' write-ahead log and every change lands on its table's
 * Kafka topic, keyed by primary key, as Kafka Connect's JsonConverter writes it. A batch is retried
 * until Kafka has acknowledged all of it; until then Debezium's offsets do not move.
 */
public class CdcToKafkaRoute extends EndpointRouteBuilder {

    @Override
    public void configure() {
        from(PipelineConfiguration.DEBEZIUM_SCHEME + ":trip-pipeline")
                .routeId("cdc-to-kafka")
                .routeConfigurationId(RetryPolicy.UNTIL_PUBLISHED)
                // started on the leader only: a replication slot admits one reader
                .routePolicyRef(PipelineConfiguration.LEADER_ONLY)
                .bean("changeBatchToKafka", "toMessages")
                .to(kafka("{{pipeline.kafka.topic-prefix}}.unrouted")
                        .keySerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                        .valueSerializer("org.apache.kafka.common.serialization.ByteArraySerializer")
                        .requestRequiredAcks("all")
                        .enableIdempotence(true)
                        .compressionCodec("{{pipeline.kafka.compression}}")
                        .lingerMs(20)
                        // compressed, 20 ms of changes take tens of KB; the producer keeps up to 32 MB of these
                        // buffers, and one of 1 MB spans two of the heap's 1 MB regions
                        .producerBatchSize(256 * 1024)
                        .maxRequestSize(PipelineTopics.MAX_RECORD_BYTES))
                .id("publish-changes")
                .bean("pipelineMetrics", "changesPublished");
    }
}
