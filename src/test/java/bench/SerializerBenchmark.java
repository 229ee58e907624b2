package bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import pipeline.cdc.ChangeEventSerializer;
import pipeline.cdc.TripChangeEvents;

/**
 * Change events per second, key and value, on one thread: Kafka Connect's JsonConverter against
 * ChangeEventSerializer, on Debezium Postgres changes of the five-column trip table. Run it with
 * {@code mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt && java -cp
 * target/classes:target/test-classes:$(cat target/cp.txt) bench.SerializerBenchmark [seconds per round]}.
 *
 * <p>Rates are per second of the thread's own CPU time, which other processes on a shared machine
 * disturb far less than they do the wall clock.
 */
public final class SerializerBenchmark {

    private static final int EVENTS = 20_000;
    private static final int WARM_UP_ROUNDS = 3;
    private static final int MEASURED_ROUNDS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private interface Serializer {
        /** The bytes of key and value together, so that none of the work can be skipped. */
        long serialize(SourceRecord record);
    }

    public static void main(String[] args) {
        long roundMillis = (long) (1000 * (args.length > 0 ? Double.parseDouble(args[0]) : 3));
        List<SourceRecord> events = new ArrayList<>(EVENTS);
        TripChangeEvents trips = TripChangeEvents.fiveColumns(new Random(1));
        for (int i = 0; i < EVENTS; i++) {
            events.add(trips.next());
        }

        JsonConverter keyConverter = jsonConverter(true);
        JsonConverter valueConverter = jsonConverter(false);
        Serializer jsonConverter = record -> length(keyConverter.fromConnectData(record.topic(), record.keySchema(), record.key()))
                + length(valueConverter.fromConnectData(record.topic(), record.valueSchema(), record.value()));
        ChangeEventSerializer changeEventSerializer = new ChangeEventSerializer();
        Serializer serializer = record -> length(changeEventSerializer.key(record)) + length(changeEventSerializer.value(record));

        for (SourceRecord event : events) {
            if (!Arrays.equals(valueConverter.fromConnectData(event.topic(), event.valueSchema(), event.value()),
                    changeEventSerializer.value(event))
                    || !Arrays.equals(keyConverter.fromConnectData(event.topic(), event.keySchema(), event.key()),
                            changeEventSerializer.key(event))) {
                throw new IllegalStateException("the serializers disagree on " + event);
            }
        }
        long bytes = 0;
        for (SourceRecord event : events) {
            bytes += serializer.serialize(event);
        }
        System.out.printf("%,d Debezium change events of public.trip, %,d bytes of key and value on average%n",
                EVENTS, bytes / EVENTS);

        // the two take turns so that a neighbour's load on the machine falls on both alike
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            eventsPerSecond(jsonConverter, events, roundMillis);
            eventsPerSecond(serializer, events, roundMillis);
        }
        double[] jsonConverterRates = new double[MEASURED_ROUNDS];
        double[] serializerRates = new double[MEASURED_ROUNDS];
        for (int round = 0; round < MEASURED_ROUNDS; round++) {
            jsonConverterRates[round] = eventsPerSecond(jsonConverter, events, roundMillis);
            serializerRates[round] = eventsPerSecond(serializer, events, roundMillis);
            System.out.printf("round %d: JsonConverter %,.0f events/s, ChangeEventSerializer %,.0f events/s%n",
                    round + 1, jsonConverterRates[round], serializerRates[round]);
        }
        double jsonConverterRate = median(jsonConverterRates);
        double serializerRate = median(serializerRates);
        System.out.printf("median of %d rounds of %.1f s on one thread, per second of its CPU time:%n", MEASURED_ROUNDS,
                roundMillis / 1000.0);
        System.out.printf("  JsonConverter          %,12.0f events/s%n", jsonConverterRate);
        System.out.printf("  ChangeEventSerializer  %,12.0f events/s%n", serializerRate);
        System.out.printf("  ratio                  %12.2f x%n", serializerRate / jsonConverterRate);
    }

    private static double eventsPerSecond(Serializer serializer, List<SourceRecord> events, long roundMillis) {
        long deadline = System.nanoTime() + roundMillis * 1_000_000;
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long serialized = 0;
        long bytes = 0;
        while (System.nanoTime() < deadline) {
            for (SourceRecord event : events) {
                bytes += serializer.serialize(event);
            }
            serialized += events.size();
        }
        if (bytes == 0) {
            throw new IllegalStateException("nothing was written");
        }
        return serialized / ((THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static JsonConverter jsonConverter(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        // the settings whose output the serializer reproduces
        converter.configure(Map.of("schemas.enable", "true", "replace.null.with.default", "false"), isKey);
        return converter;
    }
}
