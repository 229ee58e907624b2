package pipeline.cdc;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pipeline.config.PipelineSettings;
import pipeline.config.RootCause;

/**
 * Creates the change topics, the dead-letter topic and Debezium's heartbeat topic that do not exist
 * yet, with room for records as large as the producers send. A broker's default limit (1 MB) would
 * refuse a change carrying a large text value, and the route would retry it forever; topics that
 * already exist are left as their owners set them up.
 */
public final class PipelineTopics {

    /** The largest record the pipeline produces, and what its topics accept. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(PipelineTopics.class);

    private PipelineTopics() {
    }

    /**
     * Creates what is missing with {@code partitions} partitions; when Kafka cannot be asked, the broker's own
     * defaults apply at first use, as before.
     */
    public static void createMissing(Map<String, Object> kafkaClient, Collection<String> topics, int partitions, Duration timeout) {
        try (Admin admin = Admin.create(PipelineSettings.Kafka.withCallTimeout(kafkaClient, timeout))) {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = topics.stream().filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, Optional.of(partitions), Optional.empty())
                            .configs(Map.of("max.message.bytes", String.valueOf(MAX_RECORD_BYTES))))
                    .toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created Kafka topics {} ({} partitions, records up to {} MiB)", missing.stream().map(NewTopic::name).toList(),
                        partitions, MAX_RECORD_BYTES >> 20);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warn("Could not create Kafka topics {}: {}; the broker creates them at first use with its defaults",
                        topics, RootCause.describe(e));
            }
        } catch (TimeoutException e) {
            LOG.warn("Could not create Kafka topics {}: Kafka did not answer within {} s; the broker creates them at first use "
                    + "with its defaults", topics, timeout.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
