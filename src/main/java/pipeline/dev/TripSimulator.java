package pipeline.dev;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An IoT fleet for --dev: vehicles start trips (insert), finish them later with an end time and a
 * distance (update), and now and then a trip is deleted.
 */
public final class TripSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TripSimulator.class);

    private final String jdbcUrl;
    private final int vehicles;
    private final Random random = new Random();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "trip-simulator");
        thread.setDaemon(true);
        return thread;
    });
    private Connection connection;

    public TripSimulator(String jdbcUrl, int vehicles) {
        this.jdbcUrl = jdbcUrl;
        this.vehicles = vehicles;
    }

    /** Creates the trip table from the same script docker compose gives its Postgres. */
    public static void createTable(String jdbcUrl) throws SQLException, IOException {
        String script;
        try (InputStream in = TripSimulator.class.getResourceAsStream("/dev/trip-table.sql")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(script);
        }
    }

    public void start() throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
        scheduler.scheduleWithFixedDelay(this::tick, 0, 200, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try (PreparedStatement start = connection.prepareStatement(
                "INSERT INTO public.trip (vehicle_id, started_at) VALUES (?, now() - make_interval(secs => ?))");
                PreparedStatement finish = connection.prepareStatement("""
                        UPDATE public.trip SET ended_at = now(), distance_km = ?, fare = ?
                        WHERE trip_id = (SELECT trip_id FROM public.trip WHERE ended_at IS NULL ORDER BY random() LIMIT 1)""");
                Statement delete = connection.createStatement()) {
            for (int i = 0; i < 3; i++) {
                start.setString(1, String.format("vehicle-%03d", random.nextInt(vehicles)));
                start.setInt(2, random.nextInt(60));
                start.addBatch();
            }
            start.executeBatch();
            for (int i = 0; i < 2; i++) {
                double km = 0.5 + random.nextDouble() * 30;
                finish.setBigDecimal(1, java.math.BigDecimal.valueOf(km).setScale(3, java.math.RoundingMode.HALF_UP));
                finish.setBigDecimal(2, java.math.BigDecimal.valueOf(2.5 + km * 1.8).setScale(2, java.math.RoundingMode.HALF_UP));
                finish.executeUpdate();
            }
            if (random.nextInt(10) == 0) {
                delete.executeUpdate("DELETE FROM public.trip WHERE trip_id = (SELECT trip_id FROM public.trip ORDER BY random() LIMIT 1)");
            }
        } catch (SQLException e) {
            LOG.warn("Trip simulator could not write: {}", e.getMessage());
        }
    }

    @Override
    public void close() throws SQLException {
        scheduler.shutdownNow();
        if (connection != null) {
            connection.close();
        }
    }
}
