package pipeline.lake;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The records of a lake batch that are no change events, addressed the way Kafka Connect dead-letters ({@code __connect.errors.*} headers). */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private static final String ERROR_TOPIC = "__connect.errors.topic";
    private static final String ERROR_PARTITION = "__connect.errors.partition";
    private static final String ERROR_OFFSET = "__connect.errors.offset";
    private static final String ERROR_MESSAGE = "__connect.errors.exception.message";

    /** Messages for camel-kafka to send together: each rejected record unchanged, with its origin and error. */
    public List<Message> of(Exchange batch) {
        LakeBatch lakeBatch = batch.getMessage().getBody(LakeBatch.class);
        List<Message> letters = new ArrayList<>(lakeBatch.rejected().size());
        for (RejectedChange rejected : lakeBatch.rejected()) {
            KafkaChange change = rejected.change();
            LOG.warn("Dead-lettering {}-{}@{}: {}", change.topic(), change.partition(), change.offset(), rejected.error());
            Message letter = new DefaultMessage(batch);
            letter.setHeader(KafkaConstants.KEY, change.keyBytes());
            letter.setHeader(ERROR_TOPIC, change.topic());
            letter.setHeader(ERROR_PARTITION, String.valueOf(change.partition()));
            letter.setHeader(ERROR_OFFSET, String.valueOf(change.offset()));
            letter.setHeader(ERROR_MESSAGE, rejected.error());
            letter.setBody(change.valueBytes());
            letters.add(letter);
        }
        return letters;
    }
}
