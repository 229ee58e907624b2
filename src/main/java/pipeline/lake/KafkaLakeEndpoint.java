package pipeline.lake;

import java.util.List;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** Endpoint of {@link KafkaLakeComponent}; consume only. */
public final class KafkaLakeEndpoint extends DefaultEndpoint {

    private final List<String> topics;

    KafkaLakeEndpoint(String uri, KafkaLakeComponent component, List<String> topics) {
        super(uri, component);
        this.topics = topics;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("kafka-lake only consumes: " + getEndpointUri());
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        KafkaLakeConsumer consumer = new KafkaLakeConsumer(this, processor, ((KafkaLakeComponent) getComponent()).consumerSettings(topics));
        configureConsumer(consumer);
        return consumer;
    }
}
