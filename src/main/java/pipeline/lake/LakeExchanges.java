package pipeline.lake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel side of route kafka-to-s3: unpacks camel-kafka's batch, addresses dead letters the way
 * Kafka Connect does ({@code __connect.errors.*} headers), and commits each partition's offsets.
 */
public final class LakeExchanges {

    private static final Logger LOG = LoggerFactory.getLogger(LakeExchanges.class);

    public static final String ERROR_TOPIC = "__connect.errors.topic";
    public static final String ERROR_PARTITION = "__connect.errors.partition";
    public static final String ERROR_OFFSET = "__connect.errors.offset";
    public static final String ERROR_MESSAGE = "__connect.errors.exception.message";

    /** Exchange property holding camel-kafka's record exchanges while the body carries the lake batch. */
    private static final String RECORDS = "tripPipelineKafkaRecords";

    private final LakeBatchWriter writer;

    public LakeExchanges(LakeBatchWriter writer) {
        this.writer = writer;
    }

    /** The batch's records as Parquet files and rejects; the records stay on the exchange for the commit. */
    public LakeBatch toLakeBatch(Exchange batch) {
        @SuppressWarnings("unchecked")
        List<Exchange> records = batch.getMessage().getBody(List.class);
        batch.setProperty(RECORDS, records);
        List<KafkaChange> changes = new ArrayList<>(records.size());
        for (Exchange record : records) {
            Message message = record.getMessage();
            changes.add(new KafkaChange(
                    message.getHeader(KafkaConstants.TOPIC, String.class),
                    message.getHeader(KafkaConstants.PARTITION, Integer.class),
                    message.getHeader(KafkaConstants.OFFSET, Long.class),
                    message.getHeader(KafkaConstants.KEY, byte[].class),
                    message.getBody(byte[].class)));
        }
        return writer.write(changes);
    }

    /** Dead letters for camel-kafka to send together: each rejected record unchanged, with its origin and error. */
    public List<Message> deadLetters(Exchange batch) {
        LakeBatch lakeBatch = batch.getMessage().getBody(LakeBatch.class);
        List<Message> letters = new ArrayList<>(lakeBatch.rejected().size());
        for (RejectedChange rejected : lakeBatch.rejected()) {
            KafkaChange change = rejected.change();
            LOG.warn("Dead-lettering {}-{}@{}: {}", change.topic(), change.partition(), change.offset(), rejected.error());
            Message letter = new DefaultMessage(batch);
            letter.setHeader(KafkaConstants.KEY, change.key());
            letter.setHeader(ERROR_TOPIC, change.topic());
            letter.setHeader(ERROR_PARTITION, String.valueOf(change.partition()));
            letter.setHeader(ERROR_OFFSET, String.valueOf(change.offset()));
            letter.setHeader(ERROR_MESSAGE, rejected.error());
            letter.setBody(change.value());
            letters.add(letter);
        }
        return letters;
    }

    /** Commits, per partition, the offset after the batch's last record; called once the files are stored. */
    public void commit(Exchange batch) {
        Map<String, KafkaManualCommit> lastPerPartition = new LinkedHashMap<>();
        for (Exchange record : records(batch)) {
            Message message = record.getMessage();
            String partition = message.getHeader(KafkaConstants.TOPIC) + "-" + message.getHeader(KafkaConstants.PARTITION);
            lastPerPartition.put(partition, message.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        }
        lastPerPartition.forEach((partition, commit) -> {
            try {
                commit.commit();
            } catch (CommitFailedException | RebalanceInProgressException e) {
                // The group gave the partition to a member (maybe this one again) while the batch was
                // written: its owner replays from the last commit and rewrites the same file names.
                // Retrying cannot succeed until this consumer polls again, so the batch ends here.
                LOG.warn("Offsets of {} not committed, the group is rebalancing ({}); the batch will be replayed from the last commit",
                        partition, e.getClass().getSimpleName());
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static List<Exchange> records(Exchange batch) {
        return batch.getProperty(RECORDS, List.class);
    }
}
