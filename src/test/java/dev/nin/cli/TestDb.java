package dev.nin.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How tests reach the embedded PostgreSQL of a nin home: as nin's own owner role with the password
 * the home generated (as a user would, from {@code ./nin db url --show-password}), never as a superuser.
 */
final class TestDb {

    private TestDb() {}

    /** A connection to the {@code nin} database of the embedded server of {@code home} on {@code port}, as the owner. */
    static Connection connect(Path home, int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "nin", password(home, "owner"));
    }

    /** As {@link #connect}, as the read-only role of {@code ./nin sql}. */
    static Connection reader(Path home, int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "nin_reader", password(home, "reader"));
    }

    /** Rows of every table of nin's schema, by table name: "nothing changed" is this map unchanged. */
    static java.util.SortedMap<String, Long> rowCounts(Connection c) throws SQLException {
        java.util.SortedMap<String, Long> counts = new java.util.TreeMap<>();
        java.util.List<String> tables = new java.util.ArrayList<>();
        try (java.sql.Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
            while (r.next()) {
                tables.add(r.getString(1));
            }
        }
        for (String table : tables) {
            try (java.sql.Statement s = c.createStatement();
                    java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                r.next();
                counts.put(table, r.getLong(1));
            }
        }
        return counts;
    }

    /**
     * The query whose rows {@link #differenceRow} formats: {@code seed_differences} of {@code sweep}
     * against {@code baseline} (a parameter each).
     */
    static final String DIFFERENCES = "SELECT configuration, metric, n, baseline_n, difference, low, high, within_noise"
            + " FROM seed_differences WHERE sweep = ? AND baseline = ? ORDER BY configuration, metric";

    /**
     * A row of {@link #DIFFERENCES} as the report's differences table shows it, written here from the
     * view's own columns (the verdict from within_noise and the difference's sign).
     */
    static String differenceRow(java.sql.ResultSet r) throws SQLException {
        return String.format(java.util.Locale.ROOT, "| %s | %s | %d vs %d | %+.4f | [%+.4f, %+.4f] | Welch t | %s |",
                r.getString(1), r.getString(2).replace('_', ' '), r.getLong(3), r.getLong(4), r.getDouble(5), r.getDouble(6),
                r.getDouble(7), r.getBoolean(8) ? "within noise" : r.getDouble(5) > 0 ? "better" : "worse");
    }

    /**
     * What an administrator runs on an external {@code server} ({@code ./nin db setup-sql} prints it
     * for psql): {@code roles}' database and its owner and reader roles with these passwords; returns
     * the database's JDBC URL.
     */
    static String administer(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server, dev.nin.store.server.DatabaseRoles roles,
            String ownerPassword, String readerPassword) throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String statement : roles.clusterStatements()) {
                s.execute(statement);
            }
            s.execute("ALTER ROLE " + roles.owner() + " PASSWORD '" + ownerPassword + "'");
            s.execute("ALTER ROLE " + roles.reader() + " PASSWORD '" + readerPassword + "'");
            s.execute(roles.createDatabase());
            for (String statement : roles.databaseStatements()) {
                s.execute(statement);
            }
        }
        try (Connection c = server.getDatabase("postgres", roles.database()).getConnection(); java.sql.Statement s = c.createStatement()) {
            for (String statement : roles.inDatabaseStatements()) {
                s.execute(statement);
            }
        }
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + roles.database();
    }

    /** The password of {@code role} (superuser, owner or reader) in the home's 0600 credentials file. */
    static String password(Path home, String role) {
        Properties values = new Properties();
        try (Reader in = Files.newBufferedReader(home.resolve("postgres").resolve("credentials"))) {
            values.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("no credentials in " + home + "; has nin set up its database yet?", e);
        }
        return values.getProperty(role);
    }
}
