package pipeline.config;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
        login.setProperty("user", settings.pg.user);
        login.setProperty("password", settings.pg.password);
        login.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("socketTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("loginTimeout", String.valueOf(timeoutSeconds));
        login.setProperty("sslmode", settings.pg.sslMode);
        if (!settings.pg.sslRootCert.isEmpty()) {
            login.setProperty("sslrootcert", settings.pg.sslRootCert);
        }
        return DriverManager.getConnection(
                "jdbc:postgresql://" + settings.pg.host + ":" + settings.pg.port + "/" + settings.pg.database, login);
    }

    /**
     * Why capture must not start, or null: Postgres refuses every UPDATE and DELETE on a published
     * table that has neither a primary key nor a replica identity, and the source is not ours to break.
     * A partitioned table's rows live in its partitions, so those are the tables looked at.
     */
    public static String tableWithoutIdentity(PipelineSettings settings, int timeoutSeconds) throws SQLException {
        try (Connection connection = connect(settings, timeoutSeconds);
                PreparedStatement query = connection.prepareStatement("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), "
                        + "c.relreplident, EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                        + "AND (c.oid = to_regclass(?) OR c.oid IN (SELECT relid FROM pg_partition_tree(to_regclass(?))))")) {
            for (String table : settings.pg.tables) {
                query.setString(1, table);
                query.setString(2, table);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String name = rows.getString(1);
                        String identity = rows.getString(2);
                        String lacking = "n".equals(identity)
                                ? " has REPLICA IDENTITY NOTHING"
                                : "d".equals(identity) && !rows.getBoolean(3) ? " has no primary key and no replica identity" : null;
                        if (lacking != null) {
                            return "table " + name + lacking + " (pipeline.pg.tables): Postgres refuses UPDATE and DELETE on such a "
                                    + "table once it is published, so it is not captured; give it a primary key, or run ALTER TABLE "
                                    + name + " REPLICA IDENTITY FULL";
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The columns of {@code table}'s primary key ({@code schema.table}), in key order; empty when it has none. */
    public static List<String> primaryKey(PipelineSettings settings, String table, int timeoutSeconds) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection connection = connect(settings, timeoutSeconds);
                PreparedStatement query = connection.prepareStatement("SELECT a.attname FROM pg_index i "
                        + "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                        + "WHERE i.indrelid = to_regclass(?) AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        return columns;
    }
}
