package bench;

/**
 * One system's run in one round, and the names it alone uses: a fresh topic prefix, replication
 * slot, publication, consumer group and bucket, so no turn sees another's offsets or data.
 */
record Turn(String runId, int round, String system) {

    /** Lower-case letters, digits and '_': valid as a Postgres identifier and in a Kafka topic name. */
    String id() {
        return runId + "_r" + round + "_" + system.replace('-', '_');
    }

    String topicPrefix() {
        return id();
    }

    String changeTopic() {
        return topicPrefix() + ".public.trip";
    }

    String slot() {
        return id();
    }

    String publication() {
        return id();
    }

    String lakeGroup() {
        return id() + "-lake";
    }

    /** S3 bucket names allow '-' but not '_'. */
    String bucket() {
        return id().replace('_', '-');
    }
}
