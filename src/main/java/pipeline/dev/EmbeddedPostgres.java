package pipeline.dev;

import java.nio.file.Path;

/** A real PostgreSQL server (binaries shipped through Maven) running as a child process, with logical decoding on. */
public final class EmbeddedPostgres implements AutoCloseable {

    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;

    private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server on {@code port} whose data directory survives a restart of the same directory; it stops with the JVM. */
    public static EmbeddedPostgres start(Path dataDir, int port) throws Exception {
        return start(dataDir, port, true);
    }

    /** As {@link #start(Path, int)}; with {@code stopWithJvm} false only {@link #close()} stops it. */
    public static EmbeddedPostgres start(Path dataDir, int port, boolean stopWithJvm) throws Exception {
        return new EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setRegisterShutdownHook(stopWithJvm)
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("wal_level", "logical")
                // each test pipeline has its own slot; a shared server for a whole test run needs room for many
                .setServerConfig("max_wal_senders", "40")
                .setServerConfig("max_replication_slots", "40")
                .start());
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public void close() throws Exception {
        postgres.close();
    }
}
