package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.SortedMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The experiment store as a hostile local user finds it: {@code ./nin sql} refused by the server's
 * grants (not by a parser), every role behind a password kept 0600, and nothing changed by an
 * attempt that failed.
 */
class DatabaseSecurityIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void storeWithATrial() throws Exception {
        home = StoreIT.fresh("security-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result train = nin.run(StoreIT.TINY_TRAIN);
        assertEquals(0, train.exitCode(), train.all());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    /** Every way a reader could write, lock or reach the server's files, refused with 42501 at the server. */
    @Test
    void theReaderRoleIsRefusedByGrantsEvenInAReadWriteTransaction() throws Exception {
        Path touched = home.resolve("copy-to-program-ran");
        List<String> attempts = List.of(
                "INSERT INTO sweeps (name, content_hash) VALUES ('x', 'x')",
                "UPDATE trials SET state = 'failed'",
                "DELETE FROM epoch_metrics",
                "CREATE TABLE x (i int)",
                "CREATE TEMP TABLE t (i int)",
                "COPY (SELECT 1) TO PROGRAM 'touch " + touched + "'",
                "SELECT pg_read_file('/etc/hostname')",
                "SELECT pg_advisory_lock(1)",
                "SELECT pg_try_advisory_xact_lock(1, 2)",
                "SELECT lo_create(0)",
                "SELECT * FROM trials FOR UPDATE",
                "SELECT nextval('trials_id_seq')",
                "SET ROLE nin");
        try (Connection reader = TestDb.reader(home, port)) {
            try (Statement s = reader.createStatement()) {
                // The read-only default is a second wall; take it down to prove the first one stands.
                s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE");
            }
            for (String attempt : attempts) {
                SQLException refused = assertThrows(SQLException.class, () -> {
                    try (Statement s = reader.createStatement()) {
                        s.execute(attempt);
                    }
                }, attempt);
                assertEquals("42501", refused.getSQLState(), attempt + ": " + refused.getMessage());
            }
        }
        try (Connection reader = TestDb.reader(home, port); Statement s = reader.createStatement()) {
            // As ./nin sql leaves it: read-only by default, so 25006 may come before 42501.
            SQLException refused = assertThrows(SQLException.class, () -> s.execute("INSERT INTO sweeps (name, content_hash) VALUES ('x', 'x')"));
            assertTrue(List.of("42501", "25006").contains(refused.getSQLState()), refused.getMessage());
            try (ResultSet r = s.executeQuery("SHOW statement_timeout")) {
                r.next();
                assertEquals("1min", r.getString(1));
            }
        }
        SQLException otherDatabase = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "nin_reader", TestDb.password(home, "reader")));
        assertEquals("42501", otherDatabase.getSQLState(), otherDatabase.getMessage());
        assertFalse(Files.exists(touched));
    }

    /** The repros of issue 13, through ./nin sql: exit 2, one line, nothing changed, no file, no table. */
    @Test
    void ninSqlCannotChangeAnything() throws Exception {
        Path touched = home.resolve("touched-by-sql");
        List<String> queries = List.of(
                "SELECT 1; COMMIT; DELETE FROM epoch_metrics; SELECT 2",
                "SELECT 1; COMMIT; CREATE TABLE x(i int); SELECT 2",
                "SET TRANSACTION READ WRITE; CREATE TABLE y(i int); COMMIT; SELECT 1",
                "COPY (SELECT 1) TO PROGRAM 'touch " + touched + "'",
                "SELECT 1; COMMIT; SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; DELETE FROM trials; SELECT 2",
                "SELECT pg_advisory_lock(42)",
                "CREATE TEMP TABLE t AS SELECT * FROM trials",
                "SELECT lo_from_bytea(0, 'x')");
        SortedMap<String, Long> before;
        try (Connection c = TestDb.connect(home, port)) {
            before = TestDb.rowCounts(c);
        }
        assertTrue(before.get("epoch_metrics") > 0, "the store has rows to lose: " + before);
        for (String query : queries) {
            NinProcess.Result result = nin.run("sql", query);
            assertEquals(ExitCode.USAGE.code, result.exitCode(), query + ": " + result.all());
            assertTrue(result.err().startsWith("nin sql: error: query: refused, ./nin sql may only read ("), query + ": " + result.err());
            assertEquals(1, result.err().strip().lines().count(), query + ": " + result.err());
            assertEquals("", result.out(), query);
        }
        try (Connection c = TestDb.connect(home, port)) {
            assertEquals(before, TestDb.rowCounts(c));
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM pg_class WHERE relname IN ('x', 'y', 't')")) {
                r.next();
                assertEquals(0, r.getInt(1), "no table created");
            }
        }
        assertFalse(Files.exists(touched), "COPY TO PROGRAM must not run");

        NinProcess.Result two = nin.run("sql", "SELECT 1; SELECT 2");
        assertEquals(ExitCode.USAGE.code, two.exitCode(), two.all());
        assertEquals("nin sql: error: query: expected one statement, found several; run them one by one", two.err().strip());
        NinProcess.Result read = nin.run("sql", "SELECT count(*) AS n FROM trials", "--format", "csv");
        assertEquals("n\n1\n", read.out(), read.all());
    }

    @Test
    void everyRoleNeedsItsPasswordAndThePasswordsStayPrivate() throws Exception {
        for (String role : List.of("postgres", "nin", "nin_reader")) {
            for (String password : List.of("", "wrong")) {
                SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/nin", role, password), role + "/'" + password + "'");
                assertTrue(List.of("28P01", "08004").contains(refused.getSQLState()), role + ": " + refused.getSQLState());
            }
        }
        Path credentials = home.resolve("postgres").resolve("credentials");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.getParent())));

        // nin itself is an ordinary owner: no superuser, no CREATEROLE, no CREATEDB.
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")) {
            r.next();
            assertEquals(List.of(false, false, false), List.of(r.getBoolean(1), r.getBoolean(2), r.getBoolean(3)));
        }

        String owner = TestDb.password(home, "owner");
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
        assertFalse(url.all().contains(owner), url.all());
        assertFalse(url.all().contains(TestDb.password(home, "reader")), url.all());
        assertTrue(url.out().contains("psql:     psql -h 127.0.0.1 -p " + port + " -U nin nin"), url.out());
        NinProcess.Result shown = nin.run("db", "url", "--show-password");
        String psql = shown.out().lines().filter(l -> l.startsWith("psql:")).findFirst().orElseThrow();
        assertEquals("psql:     PGPASSWORD=" + owner + " psql -h 127.0.0.1 -p " + port + " -U nin nin", psql);
        // The password shown is the one the server takes: the owner logs in with it and is who it says.
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "nin", owner);
                java.sql.ResultSet r = c.createStatement().executeQuery("SELECT current_user")) {
            r.next();
            assertEquals("nin", r.getString(1));
        }
    }

    @Test
    void databaseSettingsGetOneClearLineAndNoSecret() throws Exception {
        record Case(String variable, String value, int exit, String firstLine) {}
        int closed = NinProcess.freePort();
        List<Case> cases = List.of(
                new Case("NIN_DB_URL", "jdbc:postgresql://postgres:s3cret-xyz@127.0.0.1:1/nin", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_URL: a user name or password in the URL is not supported "
                                + "('jdbc:postgresql://postgres:***@127.0.0.1:1/nin'); set NIN_DB_USER and NIN_DB_PASSWORD instead"),
                new Case("NIN_DB_URL", "jdbc:mysql://127.0.0.1/nin", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_URL: expected jdbc:postgresql://HOST[:PORT]/DATABASE, found "
                                + "'jdbc:mysql://127.0.0.1/nin' (nin stores its records in PostgreSQL only)"),
                new Case("NIN_DB_URL", "garbage", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_URL: expected jdbc:postgresql://HOST[:PORT]/DATABASE, found 'garbage'"),
                new Case("NIN_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_URL: expected jdbc:postgresql://HOST[:PORT]/DATABASE, found 'jdbc:postgresql://127.0.0.1:"
                                + closed + "/'"),
                new Case("NIN_DB_EMBEDDED_PORT", "abc", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_EMBEDDED_PORT: expected a port number from 1024 to 65535, found 'abc'"),
                new Case("NIN_DB_EMBEDDED_PORT", "80", ExitCode.USAGE.code,
                        "nin runs: error: NIN_DB_EMBEDDED_PORT: expected a port number from 1024 to 65535, found '80'"));
        for (Case c : cases) {
            Path scratch = StoreIT.fresh("security-it-settings");
            NinProcess.Result result = new NinProcess().env("NIN_HOME", scratch.toString()).env(c.variable(), c.value()).run("runs");
            assertEquals(c.exit(), result.exitCode(), c + ": " + result.all());
            assertEquals(c.firstLine(), result.err().lines().findFirst().orElse(""), c.toString());
            assertEquals(1, result.err().strip().lines().count(), result.err());
            assertFalse(result.all().contains("s3cret-xyz"), result.all());
            assertFalse(Files.exists(scratch.resolve("postgres")), "no database started for a bad setting");
        }

        // A scram server and no password: refused, not "unreachable"; a wrong password: refused, never printed.
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/nin";
        NinProcess.Result noPassword = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_URL", url)
                .env("NIN_DB_USER", "nin").run("runs");
        assertEquals(ExitCode.STORE.code, noPassword.exitCode(), noPassword.all());
        assertTrue(noPassword.err().startsWith("nin runs: error: cannot use the database at " + url + " as nin: the server "
                + "refused the login: it asks for a password and none was given"), noPassword.err());
        NinProcess.Result wrong = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_URL", url)
                .env("NIN_DB_USER", "nin").env("NIN_DB_PASSWORD", "s3cret-xyz").run("runs");
        assertEquals(ExitCode.STORE.code, wrong.exitCode(), wrong.all());
        assertTrue(wrong.err().startsWith("nin runs: error: cannot use the database at " + url + " as nin: the server "
                + "refused the login"), wrong.err());
        assertFalse(wrong.all().contains("s3cret-xyz"), wrong.all());
        NinProcess.Result unreachable = new NinProcess().env("NIN_HOME", home.toString())
                .env("NIN_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/nin?password=s3cret-xyz").env("NIN_DB_USER", "nin")
                .run("runs");
        assertEquals(ExitCode.STORE.code, unreachable.exitCode(), unreachable.all());
        assertTrue(unreachable.err().startsWith("nin runs: error: cannot use the database at jdbc:postgresql://127.0.0.1:"
                + closed + "/nin?password=*** as nin: the server cannot be reached"), unreachable.err());
        assertFalse(unreachable.all().contains("s3cret-xyz"), unreachable.all());
        // An external store with no reader configured: ./nin sql says what to set, and reads nothing.
        NinProcess.Result noReader = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_URL", url)
                .env("NIN_DB_USER", "nin").env("NIN_DB_PASSWORD", TestDb.password(home, "owner")).run("sql", "SELECT 1");
        assertEquals(ExitCode.STORE.code, noReader.exitCode(), noReader.all());
        assertTrue(noReader.err().startsWith("nin sql: error: ./nin sql logs in to " + url + " as a read-only role, and "
                + "NIN_DB_READER_PASSWORD is not set"), noReader.err());
    }
}
