package pipeline.it;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A Postgres server the tests write to: the shared one, or one a test starts and stops itself. */
@FunctionalInterface
interface Database {

    Connection connect() throws SQLException;

    default void execute(String sql) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
