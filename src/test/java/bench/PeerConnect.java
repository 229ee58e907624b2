package bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import pipeline.dev.DevServers;

/**
 * The stack trip-pipeline replaces: Kafka Connect 3.9.1 standalone running Debezium's Postgres
 * connector 3.4.0.Final, from the classpath bench/peer/pom.xml resolves. Settings are those of the
 * earlier side-by-side measurement (../shared/NOTES.md, "Speed facts").
 */
final class PeerConnect implements CdcSystem {

    private final BenchSettings settings;

    PeerConnect(BenchSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "peer";
    }

    @Override
    public boolean writesLake() {
        return false;
    }

    @Override
    public RunningSystem start(Turn turn) throws Exception {
        Path directory = Files.createDirectories(settings.workDirectory().resolve(turn.id()));
        Path worker = write(directory.resolve("worker.properties"), workerProperties(directory));
        Path connector = write(directory.resolve("connector.properties"), connectorProperties(turn));
        Path log4j = write(directory.resolve("log4j.properties"), """
                # Kafka Connect's shipped connect-log4j.properties logs INFO to the console; the console goes to the turn's log file
                log4j.rootLogger=INFO, stdout
                log4j.appender.stdout=org.apache.log4j.ConsoleAppender
                log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
                log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
                """);
        Path log = settings.logDirectory().resolve(turn.id() + ".log");
        // the same heap limit as trip-pipeline and no -Xms for either, so their RSS compare
        List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx2g"));
        command.addAll(settings.peerJavaOptions());
        command.addAll(List.of("-Dlog4j.configuration=" + log4j.toUri(), "-cp", settings.peerClasspath(),
                "org.apache.kafka.connect.cli.ConnectStandalone", worker.toString(), connector.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new RunningSystem(builder.start(), log, turn);
    }

    private String workerProperties(Path directory) throws Exception {
        return String.join("\n",
                "bootstrap.servers=" + settings.kafkaBrokers(),
                // the change-event format trip-pipeline also writes: JsonConverter with schemas, key and value
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "key.converter.schemas.enable=true",
                "value.converter.schemas.enable=true",
                "offset.storage.file.filename=" + directory.resolve("offsets"),
                // connect-standalone.properties as shipped with Kafka
                "offset.flush.interval.ms=10000",
                "producer.linger.ms=20",
                "producer.batch.size=1048576",
                // the REST server Connect always starts, on a port nobody else uses
                "listeners=http://127.0.0.1:" + DevServers.freePort(),
                "");
    }

    private String connectorProperties(Turn turn) {
        URI postgres = URI.create(settings.jdbcUrl().substring("jdbc:".length()));
        return String.join("\n",
                "name=" + turn.id(),
                "connector.class=io.debezium.connector.postgresql.PostgresConnector",
                "tasks.max=1",
                "database.hostname=" + postgres.getHost(),
                "database.port=" + postgres.getPort(),
                "database.user=postgres",
                "database.password=",
                "database.dbname=" + postgres.getPath().substring(1),
                "topic.prefix=" + turn.topicPrefix(),
                "table.include.list=public.trip",
                // Debezium's default plugin is decoderbufs, which Debian's PostgreSQL does not have
                "plugin.name=pgoutput",
                "slot.name=" + turn.slot(),
                "publication.name=" + turn.publication(),
                "publication.autocreate.mode=filtered",
                "snapshot.mode=initial",
                "heartbeat.interval.ms=10000",
                "decimal.handling.mode=precise",
                "");
    }

    private static Path write(Path file, String text) throws Exception {
        return Files.writeString(file, text);
    }
}
