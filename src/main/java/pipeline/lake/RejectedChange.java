package pipeline.lake;

/** A record the lake writer could not convert, with the reason; it goes to the dead-letter topic unchanged. */
public record RejectedChange(KafkaChange change, String error) {
}
