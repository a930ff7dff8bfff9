package dev.nin.cli;

import dev.nin.store.server.DatabaseRoles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The experiment store against real PostgreSQL servers: nin's embedded one (started by nin under a
 * fresh home), and a separately started one reached by NIN_DB_URL.
 */
class StoreIT {

    /** A short real training run: 4-conv variant at the smallest size, a few hundred images. */
    static final String[] TINY_TRAIN = {"train", "--variant", "no-1x1", "--resize", "67", "--epochs", "2", "--batch", "64",
        "--train-limit", "256", "--validation", "64", "--test-limit", "64", "--lr", "0.05", "--momentum", "0.9"};

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void freshHome() throws Exception {
        home = fresh("store-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    static Path fresh(String name) throws Exception {
        Path dir = Path.of("target", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    private static Connection db() throws SQLException {
        return TestDb.connect(home, port);
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            assertTrue(r.next(), "no row for " + sql);
            return r.getString(1);
        }
    }

    @Test
    void migratesAnEmptyDatabaseAndLeavesAMigratedOneAlone() throws Exception {
        NinProcess.Result first = nin.run("runs");
        assertEquals(0, first.exitCode(), first.all());
        assertTrue(first.out().contains("trial | sweep | state"), first.out());
        NinProcess.Result second = nin.run("runs");
        assertEquals(0, second.exitCode(), second.all());
        long migrations;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("migrations"))) {
            migrations = files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
        }
        try (Connection c = db()) {
            // Each migration applied once, however often the store is opened.
            assertEquals(Long.toString(migrations), one(c, "SELECT count(*) FROM flyway_schema_history WHERE success"));
            assertEquals(Long.toString(migrations), one(c, "SELECT max(version) FROM flyway_schema_history"));
            for (String view : new String[] {"leaderboard", "epoch_curves", "trial_results", "ablation_comparison",
                "resource_usage", "sweep_budget"}) {
                assertEquals("0", one(c, "SELECT count(*) FROM " + view + " WHERE sweep = 'nothing'"));
            }
        }
    }

    /** Hibernate never changes the schema; this checks every mapped column exists in what Flyway built. */
    @Test
    void everyEntityColumnExistsInTheMigratedSchema() throws Exception {
        assertEquals(0, nin.run("runs").exitCode());
        Class<?>[] entities = {dev.nin.store.TrialEntity.class, dev.nin.store.EpochMetricEntity.class,
            dev.nin.store.ResourceProfileEntity.class, dev.nin.store.SweepEntity.class, dev.nin.store.ArtifactEntity.class};
        try (Connection c = db()) {
            for (Class<?> entity : entities) {
                String table = entity.getAnnotation(jakarta.persistence.Table.class).name();
                java.util.Set<String> columns = new java.util.HashSet<>();
                try (ResultSet r = c.getMetaData().getColumns(null, "public", table, null)) {
                    while (r.next()) {
                        columns.add(r.getString("COLUMN_NAME"));
                    }
                }
                assertFalse(columns.isEmpty(), "table " + table + " exists");
                for (java.lang.reflect.Field field : entity.getFields()) {
                    if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                        continue;
                    }
                    jakarta.persistence.Column column = field.getAnnotation(jakarta.persistence.Column.class);
                    String name = column != null && !column.name().isEmpty() ? column.name() : field.getName();
                    assertTrue(columns.contains(name), entity.getSimpleName() + "." + field.getName() + " maps to "
                            + table + "." + name + ", which the migrations do not create");
                }
            }
        }
    }

    @Test
    void viewsGiveTheNumbersComputedByHand() throws Exception {
        assertEquals(0, nin.run("runs").exitCode());
        try (Connection c = db(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO sweeps (name, content_hash) VALUES ('views-test', 'h')");
            long sweep = Long.parseLong(one(c, "SELECT id FROM sweeps WHERE name = 'views-test'"));
            // Variant a: three seeds with test accuracy 0.80, 0.82, 0.87; variant b: two seeds, 0.50 and 0.70.
            double[][] rows = {{1, 0.80, 0.81}, {2, 0.82, 0.80}, {3, 0.87, 0.86}, {1, 0.50, 0.55}, {2, 0.70, 0.65}};
            String[] variants = {"a", "a", "a", "b", "b"};
            for (int i = 0; i < rows.length; i++) {
                s.execute("INSERT INTO trials (sweep_id, configuration, state, variant, seed, learning_rate, epochs, batch_size, resize, momentum,"
                        + " nesterov, weight_decay, dropout, train_limit, validation_size, test_limit, config, config_hash,"
                        + " nin_version, java_version) VALUES (" + sweep + ", '" + variants[i] + " cfg', 'completed', '" + variants[i] + "', "
                        + (long) rows[i][0] + ", 0.1, 2, 128, 96, 0, false, 0, 0.5, 0, 100, 0, '{}', 'h', 't', '17')");
                long trial = Long.parseLong(one(c, "SELECT max(id) FROM trials"));
                // Epoch 1 is worse; the views must use the last epoch.
                s.execute("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy, validation_accuracy,"
                        + " test_accuracy, images_per_second, train_seconds, seconds) VALUES (" + trial
                        + ", 1, 2.0, 0.1, 0.1, 0.1, 10, 1, 1), (" + trial + ", 2, 0.5, 0.8, " + rows[i][2] + ", "
                        + rows[i][1] + ", 10, 1, 1)");
            }
            try (ResultSet r = s.executeQuery("SELECT variant, trials, test_accuracy_mean, test_accuracy_std,"
                    + " validation_accuracy_mean FROM ablation_comparison WHERE sweep = 'views-test' ORDER BY variant")) {
                assertTrue(r.next());
                assertEquals("a", r.getString(1));
                assertEquals(3, r.getInt(2));
                assertEquals(0.83, r.getDouble(3), 1e-12);
                // Deviations -0.03, -0.01, 0.04: squares sum to 0.0026, over n-1 = 2 gives 0.0013.
                assertEquals(Math.sqrt(0.0013), r.getDouble(4), 1e-12);
                assertEquals((0.81 + 0.80 + 0.86) / 3, r.getDouble(5), 1e-12);
                assertTrue(r.next());
                assertEquals("b", r.getString(1));
                assertEquals(2, r.getInt(2));
                assertEquals(0.60, r.getDouble(3), 1e-12);
                assertEquals(Math.sqrt(0.02), r.getDouble(4), 1e-12);
                assertFalse(r.next());
            }
            try (ResultSet r = s.executeQuery("SELECT rank, variant, seed, validation_accuracy FROM leaderboard"
                    + " WHERE sweep = 'views-test' ORDER BY rank")) {
                assertTrue(r.next());
                assertEquals(1, r.getInt(1));
                assertEquals(0.86, r.getDouble(4), 1e-12);
                assertTrue(r.next());
                assertEquals(2, r.getInt(1));
                assertEquals(0.81, r.getDouble(4), 1e-12);
            }
            assertEquals("10", one(c, "SELECT count(*) FROM epoch_curves WHERE sweep = 'views-test'"));
        }
        NinProcess.Result sql = nin.run("sql", "SELECT variant, trials FROM ablation_comparison WHERE sweep = 'views-test'"
                + " ORDER BY variant", "--format", "csv");
        assertEquals(0, sql.exitCode(), sql.all());
        assertEquals("variant,trials\na,3\nb,2\n", sql.out());
    }

    @Test
    void aKilledTrainingKeepsItsEpochsAndIsMarkedInterrupted() throws Exception {
        Path out = Files.createTempFile("nin-kill", ".txt");
        Process training = nin.start(out, "train", "--variant", "no-1x1", "--resize", "67", "--epochs", "30", "--batch", "64",
                "--train-limit", "512", "--test-limit", "64", "--lr", "0.05");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        // Kill once two epochs are in the store (the console line comes just before the write).
        while (!Files.readString(out).contains(", recorded") || epochsOf(Files.readString(out)) < 2) {
            assertTrue(training.isAlive(), "training ended early: " + Files.readString(out));
            assertTrue(System.nanoTime() < deadline, "no second epoch within 5 minutes: " + Files.readString(out));
            Thread.sleep(50);
        }
        training.destroyForcibly(); // SIGKILL: no shutdown hook, no last write
        training.waitFor();
        String printed = Files.readString(out);
        long trial = Long.parseLong(printed.replaceAll("(?s).*trial (\\d+), recorded.*", "$1"));
        int epochsBefore;
        try (Connection c = db()) {
            assertEquals("running", one(c, "SELECT state FROM trials WHERE id = " + trial));
            epochsBefore = Integer.parseInt(one(c, "SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial));
            assertTrue(epochsBefore >= 2, "epochs 1 and 2 ended before the kill, found " + epochsBefore);
        }
        NinProcess.Result runs = nin.run("runs");
        assertEquals(0, runs.exitCode(), runs.all());
        try (Connection c = db()) {
            assertEquals("interrupted", one(c, "SELECT state FROM trials WHERE id = " + trial));
            assertEquals(Integer.toString(epochsBefore), one(c, "SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial));
            assertEquals("2", one(c, "SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial
                    + " AND epoch <= 2 AND train_loss > 0 AND test_accuracy IS NOT NULL"));
        }
        assertTrue(runs.out().matches("(?s).*\\s" + trial + " \\|\\s+\\|\\s+interrupted.*"), runs.out());
    }

    private static int epochsOf(String printed) throws SQLException {
        long trial = Long.parseLong(printed.replaceAll("(?s).*trial (\\d+), recorded.*", "$1"));
        try (Connection c = db()) {
            return Integer.parseInt(one(c, "SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial));
        }
    }

    @Test
    void twoProcessesOnOneFreshHomeBothWork() throws Exception {
        Path otherHome = fresh("store-it-two");
        NinProcess other = NinProcess.withHome(otherHome, NinProcess.freePort());
        try {
            Path outA = Files.createTempFile("nin-a", ".txt");
            Path outB = Files.createTempFile("nin-b", ".txt");
            Process a = other.start(outA, TINY_TRAIN);
            Process b = other.start(outB, TINY_TRAIN);
            assertTrue(a.waitFor(5, TimeUnit.MINUTES) && b.waitFor(5, TimeUnit.MINUTES));
            assertEquals(0, a.exitValue(), Files.readString(outA) + Files.readString(outA.resolveSibling(outA.getFileName() + ".err")));
            assertEquals(0, b.exitValue(), Files.readString(outB) + Files.readString(outB.resolveSibling(outB.getFileName() + ".err")));
            NinProcess.Result count = other.run("sql", "SELECT count(*) AS n FROM trials WHERE state = 'completed'", "--format", "csv");
            assertEquals("n\n2\n", count.out(), count.all());
        } finally {
            other.run("db", "stop");
        }
    }

    @Test
    void anExternalDatabaseByUrl() throws Exception {
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().start()) {
            String url = experimentsDatabase(server);
            Path emptyHome = fresh("store-it-external");
            NinProcess.Result asSuperuser = NinProcess.withHome(emptyHome, NinProcess.freePort()).env("NIN_DB_URL", url)
                    .env("NIN_DB_USER", "postgres").run("runs");
            assertEquals(ExitCode.STORE.code, asSuperuser.exitCode(), asSuperuser.all());
            assertTrue(asSuperuser.err().startsWith("nin runs: error: nin will not record as postgres at "), asSuperuser.err());
            try (Connection c = server.getDatabase("postgres", "experiments").getConnection()) {
                assertEquals("0", one(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "nothing written");
            }
            NinProcess external = NinProcess.withHome(emptyHome, NinProcess.freePort()).env("NIN_DB_URL", url)
                    .env("NIN_DB_USER", "experiments_owner").env("NIN_DB_PASSWORD", "owner-pw-1")
                    .env("NIN_DB_READER_PASSWORD", "reader-pw-1");
            NinProcess.Result train = external.run(TINY_TRAIN);
            assertEquals(0, train.exitCode(), train.all());
            try (Connection c = server.getDatabase("postgres", "experiments").getConnection()) {
                assertEquals("completed", one(c, "SELECT state FROM trials"));
                assertEquals("2", one(c, "SELECT count(*) FROM epoch_metrics"));
                assertEquals("1", one(c, "SELECT count(*) FROM resource_profiles WHERE parameters = 1546058"));
            }
            assertFalse(Files.exists(emptyHome.resolve("postgres")), "no embedded server when a URL is configured");
            NinProcess.Result read = external.run("sql", "SELECT count(*) AS n FROM epoch_metrics", "--format", "csv");
            assertEquals("n\n2\n", read.out(), read.all());
            NinProcess.Result write = external.run("sql", "DELETE FROM epoch_metrics RETURNING 1");
            assertEquals(ExitCode.USAGE.code, write.exitCode(), write.all());

            // A database written by a newer nin: refused, nothing written.
            try (Connection c = server.getDatabase("postgres", "experiments").getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                        + " installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', 'V99__f.sql', 0,"
                        + " 'postgres', 1, true)");
            }
            NinProcess.Result newer = external.run(TINY_TRAIN);
            assertEquals(ExitCode.STORE.code, newer.exitCode(), newer.all());
            assertTrue(newer.err().contains("newer nin"), newer.err());
            try (Connection c = server.getDatabase("postgres", "experiments").getConnection()) {
                assertEquals("1", one(c, "SELECT count(*) FROM trials"));
            }
        }
    }

    /**
     * What an administrator runs on {@code server} (./nin db setup-sql prints it for psql): database
     * {@code experiments}, roles {@code experiments_owner} (password owner-pw-1) and
     * {@code experiments_reader} (reader-pw-1); returns the database's JDBC URL.
     */
    private static String experimentsDatabase(EmbeddedPostgres server) throws SQLException {
        return TestDb.administer(server, new DatabaseRoles("experiments", "experiments_owner", "experiments_reader"),
                "owner-pw-1", "reader-pw-1");
    }

    /**
     * A client that reads trials and then sweeps while V5 holds sweeps and waits for trials makes a
     * deadlock, which PostgreSQL breaks by rolling the migration back (as it did once in CI, where a
     * test polled the store during its first migration). nin tries the migration again and goes on.
     */
    @Test
    void aMigrationRolledBackByADeadlockIsTriedAgain() throws Exception {
        // The server looks for a deadlock once, deadlock_timeout after a session began to wait: 5 s
        // leaves this test ample time to close the cycle before nin's session looks.
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("deadlock_timeout", "5s").start()) {
            String url = experimentsDatabase(server);
            // The store as the previous nin left it: migrated up to V4.
            org.flywaydb.core.Flyway.configure().dataSource(url, "experiments_owner", "owner-pw-1")
                    .locations("filesystem:migrations").target("4").load().migrate();
            NinProcess external = NinProcess.withHome(fresh("store-it-deadlock"), NinProcess.freePort()).env("NIN_DB_URL", url)
                    .env("NIN_DB_USER", "experiments_owner").env("NIN_DB_PASSWORD", "owner-pw-1")
                    .env("NIN_DB_READER_PASSWORD", "reader-pw-1");
            Path out = Files.createTempFile("nin-deadlock", ".txt");
            try (Connection reader = server.getDatabase("postgres", "experiments").getConnection();
                    Statement s = reader.createStatement()) {
                // The migration's backend, not this one, must be the one to find the cycle and give way.
                s.execute("SET deadlock_timeout = '60s'");
                reader.setAutoCommit(false);
                s.executeQuery("SELECT count(*) FROM trials").close();
                Process nin = external.start(out, "runs");
                try {
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                    while (!waitingForTrials(server)) {
                        assertTrue(nin.isAlive() && System.nanoTime() < deadline, "nin never waited for trials: "
                                + Files.readString(out));
                        Thread.sleep(20);
                    }
                    // Blocks on V5's lock on sweeps until the server rolls V5 back.
                    s.executeQuery("SELECT count(*) FROM sweeps").close();
                    reader.commit();
                    assertTrue(nin.waitFor(2, TimeUnit.MINUTES));
                } finally {
                    nin.destroyForcibly();
                }
                String printed = Files.readString(out) + Files.readString(out.resolveSibling(out.getFileName() + ".err"));
                assertEquals(0, nin.exitValue(), printed);
                assertTrue(printed.contains("was rolled back; trying again (attempt 2 of 5)"), printed);
                assertFalse(printed.contains("failed!"), "Flyway's own line, which the retry contradicts: " + printed);
                assertFalse(printed.contains("owner-pw-1"), printed);
            }
            long migrations;
            try (var files = Files.list(Path.of("migrations"))) {
                migrations = files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
            }
            try (Connection c = server.getDatabase("postgres", "experiments").getConnection()) {
                assertEquals(Long.toString(migrations), one(c, "SELECT count(*) FROM flyway_schema_history WHERE success"));
                assertEquals("0", one(c, "SELECT count(*) FROM flyway_schema_history WHERE NOT success"));
                // A migration edited after it was applied: one line that names it and says what to do.
                try (Statement s = c.createStatement()) {
                    s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '5'");
                }
            }
            NinProcess.Result edited = NinProcess.withHome(fresh("store-it-deadlock"), NinProcess.freePort())
                    .env("NIN_DB_URL", url).env("NIN_DB_USER", "experiments_owner").env("NIN_DB_PASSWORD", "owner-pw-1")
                    .env("NIN_DB_READER_PASSWORD", "reader-pw-1").run("runs");
            assertEquals(ExitCode.STORE.code, edited.exitCode(), edited.all());
            assertEquals(1, edited.err().lines().count(), edited.err());
            assertTrue(edited.err().contains("checksum mismatch for migration version 5")
                    && edited.err().contains("restore it; released migrations never change"), edited.err());
        }
    }

    /** Whether a session other than the caller's waits for a lock on table trials (V5's ALTER TABLE trials). */
    private static boolean waitingForTrials(EmbeddedPostgres server) throws SQLException {
        try (Connection c = server.getDatabase("postgres", "experiments").getConnection()) {
            return one(c, "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'trials'::regclass").equals("1");
        }
    }

    @Test
    void wrongPasswordAndUnreachableServerAreClearErrors() throws Exception {
        Path data = fresh("store-it-password-data");
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true).start()) {
            try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE analyst LOGIN PASSWORD 'right'");
                s.execute("CREATE DATABASE analysis OWNER analyst");
                Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\nhost all postgres 127.0.0.1/32 trust\n"
                        + "host all postgres ::1/128 trust\nhost all all 127.0.0.1/32 md5\nhost all all ::1/128 md5\n");
                s.execute("SELECT pg_reload_conf()");
            }
            NinProcess wrong = NinProcess.withHome(fresh("store-it-wrong"), NinProcess.freePort())
                    .env("NIN_DB_URL", "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/analysis")
                    .env("NIN_DB_USER", "analyst").env("NIN_DB_PASSWORD", "wrong");
            NinProcess.Result refused = wrong.run("runs");
            assertEquals(ExitCode.STORE.code, refused.exitCode(), refused.all());
            assertTrue(refused.err().contains("the server refused the login"), refused.err());
            assertTrue(refused.err().contains("127.0.0.1:" + server.getPort() + "/analysis"), refused.err());
            assertFalse(refused.all().contains("wrong"), "the password must never be printed: " + refused.all());
        }

        int closed = NinProcess.freePort();
        NinProcess nowhere = NinProcess.withHome(fresh("store-it-nowhere"), NinProcess.freePort())
                .env("NIN_DB_URL", "jdbc:postgresql://127.0.0.1:" + closed + "/nin?password=secret").env("NIN_DB_USER", "nin");
        NinProcess.Result unreachable = nowhere.run("runs");
        assertEquals(ExitCode.STORE.code, unreachable.exitCode(), unreachable.all());
        assertTrue(unreachable.err().contains("127.0.0.1:" + closed + "/nin?password=***"), unreachable.err());
        assertTrue(unreachable.err().contains("cannot be reached"), unreachable.err());
        assertFalse(unreachable.all().contains("secret"), unreachable.all());
    }
}
