package dev.nin.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** How tests reach the embedded PostgreSQL of a nin home: always as nin's own owner role, never as a superuser. */
final class TestDb {

    private TestDb() {}

    /** A connection to the {@code nin} database of the embedded server of {@code home} on {@code port}. */
    static Connection connect(Path home, int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "postgres", "");
    }
}
