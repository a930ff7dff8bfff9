package dev.nin.cli;

import dev.nin.store.server.EmbeddedPostgresServer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A nin home made by the release before password authentication (trust authentication, the
 * superuser owning everything, migrations V1-V2, some trials) is converted at its first start by
 * this nin with every row intact, also when that first start is killed at each step of the
 * conversion and nin is simply run again.
 */
class LegacyHomeIT {

    /** Built exactly as the earlier release's EmbeddedPostgresServer did. */
    private static void buildLegacyHome(Path home, int port, Path binaries) throws Exception {
        Path data = home.resolve("postgres").resolve("data");
        Files.createDirectories(data.getParent());
        run(binaries, "initdb", "-A", "trust", "-U", "postgres", "-D", data.toString(), "-E", "UTF-8", "--locale=C");
        run(binaries, "pg_ctl", "-D", data.toString(), "-l", home.resolve("postgres").resolve("server.log").toString(), "-w",
                "-t", "60", "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c timezone=UTC",
                "start");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE nin");
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/nin";
        Flyway.configure().dataSource(url, "postgres", "").locations("filesystem:migrations").target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("INSERT INTO sweeps (name, content_hash, content, planned_trials) VALUES ('legacy', 'h', 'lr: 0.1', 2)");
            for (int i = 0; i < 2; i++) {
                s.execute("INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate, epochs,"
                        + " batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size,"
                        + " test_limit, config, config_hash, nin_version, java_version) VALUES (1, " + i + ", 'lr=0.1', 'completed',"
                        + " 'book', " + (7 + i) + ", 0.1, 2, 128, 67, 0, false, 0, 0.5, 256, 64, 64, '{\"lr\": 0.1}', 'hash" + i
                        + "', '0.1.0', '17')");
            }
            s.execute("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy, images_per_second, train_seconds,"
                    + " seconds) VALUES (1, 1, 2.3, 0.1, 100, 1, 1), (1, 2, 2.2, 0.2, 100, 1, 1), (2, 1, 2.1, 0.3, 100, 1, 1)");
        }
    }

    private static void run(Path binaries, String program, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("/usr/bin/unshare", "-U"));
        }
        command.add(binaries.resolve(program).toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), program);
        assertEquals(0, p.exitValue(), program + ": " + output);
    }

    private static Path binaries;

    @BeforeAll
    static void unpackBinaries() throws Exception {
        binaries = unpackedBinaries();
    }

    /** The binaries of the embedded server, unpacked by nin itself into a scratch home. */
    private static Path unpackedBinaries() throws Exception {
        Path scratch = StoreIT.fresh("legacy-it-binaries");
        NinProcess nin = NinProcess.withHome(scratch, NinProcess.freePort());
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
        nin.run("db", "stop");
        try (var dirs = Files.list(scratch.resolve("postgres"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("bin-")).findFirst().orElseThrow().resolve("bin");
        }
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"", "secure-roles-created", "secure-granted", "secure-hba-written", "secure-reloaded"})
    void convertsWithEveryRowIntact(String killAt) throws Exception {
        Path home = StoreIT.fresh("legacy-it-home");
        int port = NinProcess.freePort();
        buildLegacyHome(home, port, binaries);
        SortedMap<String, Long> before;
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "postgres", "")) {
            before = TestDb.rowCounts(c);
        }
        assertEquals(3L, before.get("epoch_metrics"));
        NinProcess nin = NinProcess.withHome(home, port);
        try {
            if (!killAt.isEmpty()) {
                killAt(home, nin, killAt);
            }
            NinProcess.Result runs = nin.run("runs");
            assertEquals(0, runs.exitCode(), runs.all());
            assertEquals("", runs.err());
            try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
                // The legacy home's rows: not those of tables later migrations add (trial_attempts, V3),
                // nor Flyway's own record of those migrations.
                SortedMap<String, Long> after = TestDb.rowCounts(c);
                after.keySet().retainAll(before.keySet());
                SortedMap<String, Long> expected = new java.util.TreeMap<>(before);
                expected.remove("flyway_schema_history");
                after.remove("flyway_schema_history");
                assertEquals(expected, after, "every row intact");
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                        + " AND relkind IN ('r', 'v', 'S') AND relowner <> 'nin'::regrole")) {
                    r.next();
                    assertEquals(0, r.getInt(1), "every table, view and sequence moved to nin");
                }
                try (ResultSet r = s.executeQuery("SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'nin'")) {
                    r.next();
                    assertEquals("nin", r.getString(1));
                }
            }
            SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + port + "/nin", "postgres", ""));
            assertTrue(List.of("28P01", "08004").contains(refused.getSQLState()), refused.getMessage());
            NinProcess.Result read = nin.run("sql", "SELECT count(*) AS n FROM epoch_metrics", "--format", "csv");
            assertEquals("n\n3\n", read.out(), read.all());
            NinProcess.Result write = nin.run("sql", "DELETE FROM epoch_metrics RETURNING 1");
            assertEquals(ExitCode.USAGE.code, write.exitCode(), write.all());
        } finally {
            nin.run("db", "stop");
        }
    }

    /** Starts nin so that it holds at {@code point} of the conversion, and kills it there. */
    private static void killAt(Path home, NinProcess nin, String point) throws IOException, InterruptedException {
        Path pauses = Files.createDirectories(home.resolve("pauses"));
        Path marker = pauses.resolve("paused-" + point + "-1");
        Process first = nin.env("NIN_TEST_PAUSE_AT", point + "@1").env("NIN_TEST_PAUSE_DIR", pauses.toString())
                .start(home.resolve("first.out"), "runs");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(marker) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(marker), "nin never reached " + point + ": " + Files.readString(home.resolve("first.out.err")));
        first.destroyForcibly();
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        nin.env("NIN_TEST_PAUSE_AT", "").env("NIN_TEST_PAUSE_DIR", "");
    }
}
