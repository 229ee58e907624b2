package bench;

/** One of the two systems compared: started as its own JVM for a turn, stopped after it. */
interface CdcSystem {

    /** Short name used in turn names and the report: {@code peer} or {@code pipeline}. */
    String name();

    /** Whether the system also writes the changes to Parquet in S3 (the peer stops at Kafka). */
    boolean writesLake();

    RunningSystem start(Turn turn) throws Exception;
}
