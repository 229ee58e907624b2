package pipeline.lake;

/** A Kafka record on a change topic that is not a Debezium change event the lake can store. */
public class MalformedChangeEventException extends RuntimeException {

    public MalformedChangeEventException(String message) {
        super(message);
    }

    public MalformedChangeEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
