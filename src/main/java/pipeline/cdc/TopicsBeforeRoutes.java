package pipeline.cdc;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.FutureTask;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;

/**
 * Asks Kafka for the pipeline's missing topics on a thread of its own from the moment it is made,
 * while Camel builds the routes, and holds their start until Kafka answered or the time ran out: a
 * consumer started first would have the broker create them with its own defaults.
 */
public final class TopicsBeforeRoutes implements StartupListener {

    private final FutureTask<Void> creation;

    public TopicsBeforeRoutes(Map<String, Object> kafkaClient, Collection<String> topics, int partitions, Duration timeout) {
        creation = new FutureTask<>(() -> PipelineTopics.createMissing(kafkaClient, topics, partitions, timeout), null);
        Thread thread = new Thread(creation, "topic-creation");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) throws Exception {
        creation.get();
    }
}
