package pipeline.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A plain JDBC connection to the source database of the pipeline.pg.* settings, for checks and measurements. */
public final class SourceDatabase {

    private SourceDatabase() {
    }

    /** The password travels in the connection properties, never in the URL that drivers put in their messages. */
    public static Connection connect(PipelineSettings settings, int timeoutSeconds) throws SQLException {
        return connect(settings, timeoutSeconds, "trip-pipeline");
    }

    /** Named {@code applicationName} in the server's pg_stat_activity, where other sessions can see who holds what. */
    public static Connection connect(PipelineSettings settings, int timeoutSeconds, String applicationName) throws SQLException {
        Properties login = new Properties();
        login.setProperty("ApplicationName", applicationName);
        login.setProperty("user", settings.pgUser);
        login.setProperty("password", settings.pgPassword);
        login.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("socketTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("loginTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("sslmode", settings.pgSslMode);
        if (!settings.pgSslRootCert.isEmpty()) {
            login.setProperty("sslrootcert", settings.pgSslRootCert);
        }
        return DriverManager.getConnection(
                "jdbc:postgresql://" + settings.pgHost + ":" + settings.pgPort + "/" + settings.pgDatabase, login);
    }
}
