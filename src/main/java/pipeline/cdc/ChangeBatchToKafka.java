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

    public List<Message> toMessages(Exchange exchange) {
        @SuppressWarnings("unchecked")
        List<SourceRecord> records = exchange.getIn().getBody(List.class);
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
