package pipeline.cdc;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns a Debezium batch into the Kafka messages camel-kafka sends together: one per record, to
 * the record's topic, keyed by the primary key, valued by the envelope (null for a tombstone).
 */
public final class ChangeBatchToKafka {

    private final ChangeEventSerializer serializer = new ChangeEventSerializer();

    /** Sets the exchange body to the batch's Kafka messages. */
    public void toMessages(Exchange exchange) {
        exchange.getIn().setBody(messages(exchange));
    }

    /**
     * Builds the messages again before a retried send: camel-kafka removes each message's topic
     * header once it has read it, so a retry of the same messages would go to the default topic.
     */
    public void beforeRedelivery(Exchange exchange) {
        toMessages(exchange);
    }

    private List<Message> messages(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<SourceRecord> records = exchange.getProperty(DebeziumBatchConsumer.RECORDS, List.class);
        List<Message> messages = new ArrayList<>(records.size());
        for (SourceRecord record : records) {
            Message message = new DefaultMessage(exchange);
            message.setHeader(KafkaConstants.OVERRIDE_TOPIC, record.topic());
            message.setHeader(KafkaConstants.KEY, serializer.key(record));
            message.setBody(serializer.value(record));
            messages.add(message);
        }
        return messages;
    }
}
