package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exit codes README documents for how a {@code ./nin train} ends, from real processes: 4 (TensorFlow's
 * native libraries missing or broken), 5 (diverged) and 9 (stalled), each with the one line that says so
 * and the trial the store keeps. The expected codes are the numbers of README's table, written here as
 * literals, never read from {@code ExitCode}. Code 7 is in {@link LifecycleIT} (it needs a sweep that fails).
 */
class ExitCodeIT {

    private static final Pattern TRIAL = Pattern.compile("(?m)^trial (\\d+), recorded in jdbc:postgresql://127\\.0\\.0\\.1:\\d+/nin");

    /** The tiny run of {@link StoreIT#TINY_TRAIN}, one epoch, without the memory probe (seconds, not a minute). */
    private static final List<String> TINY = List.of("train", "--variant", "no-1x1", "--resize", "67", "--epochs", "1",
            "--batch", "64", "--train-limit", "256", "--validation", "64", "--test-limit", "64", "--momentum", "0.9",
            "--no-measure-memory");

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void freshHome() throws Exception {
        home = StoreIT.fresh("exit-code-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        // The store exists before the first test, so "no trial written" is a count of 0, not a missing table.
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    private static String[] tiny(String... more) {
        List<String> args = new java.util.ArrayList<>(TINY);
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static long trials() throws SQLException {
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM trials")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static long trialOf(NinProcess.Result result) {
        Matcher m = TRIAL.matcher(result.out());
        assertTrue(m.find(), "no 'trial N, recorded in' line:\n" + result.all());
        return Long.parseLong(m.group(1));
    }

    /** state, diverged_at, stopped_at, ended_at IS NOT NULL, error of one trial. */
    private static String[] row(long trial) throws SQLException {
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT state, diverged_at, stopped_at, ended_at IS NOT NULL, error FROM trials WHERE id = "
                        + trial)) {
            assertTrue(r.next(), "trial " + trial + " is in the store");
            return new String[] {r.getString(1), r.getString(2), r.getString(3), Boolean.toString(r.getBoolean(4)), r.getString(5)};
        }
    }

    private static void assertOneLine(String err) {
        assertEquals(1, err.lines().count(), "one line on standard error:\n" + err);
        assertTrue(err.endsWith("\n"), err);
    }

    /** The launcher's route: -Dnin.natives.root names the folder with linux-x86_64/ in it; an empty one has none. */
    @Test
    void missingNativeLibrariesExitWith4AndWriteNoTrial() throws Exception {
        Path empty = Files.createDirectories(home.resolve("no-natives"));
        long before = trials();
        // TENSORFLOW_LIBRARY_PATH would take precedence; blank means unset.
        NinProcess.Result result = NinProcess.withHome(home, port).env("TENSORFLOW_LIBRARY_PATH", "")
                .jvm("-Dnin.natives.root=" + empty).run(tiny());
        assertEquals(4, result.exitCode(), result.all());
        assertOneLine(result.err());
        assertTrue(result.err().startsWith("nin train: error: TensorFlow's native libraries are not in "
                + empty.resolve("linux-x86_64") + " (expected libjnitensorflow.so, "), result.err());
        assertTrue(result.err().contains("Fix: run 'mvn -q generate-resources'"), result.err());
        assertEquals(before, trials(), "TensorFlow is loaded before the trial is recorded: nothing written");
    }

    /** DJL's own override names a folder whose JNI library is not a shared object at all. */
    @Test
    void brokenNativeLibrariesExitWith4AndWriteNoTrial() throws Exception {
        Path broken = Files.createDirectories(home.resolve("broken-natives"));
        Files.write(broken.resolve("libjnitensorflow.so"), "not an ELF file\n".repeat(300).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long before = trials();
        NinProcess.Result result = NinProcess.withHome(home, port).env("TENSORFLOW_LIBRARY_PATH", broken.toString()).run(tiny());
        assertEquals(4, result.exitCode(), result.all());
        assertOneLine(result.err());
        assertTrue(result.err().matches("nin train: error: TensorFlow's native libraries in " + Pattern.quote(broken.toString())
                + " failed to load \\(UnsatisfiedLinkError: .*libjnitensorflow\\.so.*\\)\\. Fix: delete that folder .*\n"),
                result.err());
        assertEquals(before, trials(), "nothing written");
    }

    /** A learning rate of a million blows the loss up within the first epoch (SweepIT sees the same in a sweep). */
    @Test
    void aDivergingTrainingExitsWith5AndIsRecordedDiverged() throws Exception {
        NinProcess.Result result = nin.run(tiny("--lr", "1000000"));
        assertEquals(5, result.exitCode(), result.all());
        long trial = trialOf(result);
        Matcher line = Pattern.compile("(?m)^training diverged at (epoch 1 step (\\d+)): the loss became NaN or infinite; try a smaller --lr$")
                .matcher(result.out());
        assertTrue(line.find(), result.out());
        int step = Integer.parseInt(line.group(2));
        assertTrue(step >= 1 && step <= 4, "epoch 1 has 4 steps of 64 images: " + step);
        assertTrue(result.out().endsWith("see it with: ./nin show " + trial + "\n"), result.out());
        assertEquals("", result.err());
        String[] row = row(trial);
        assertEquals("diverged", row[0]);
        assertEquals(line.group(1), row[1], "diverged_at is where the console said");
        assertEquals(null, row[2], "stopped_at is for stalled and pruned trials");
        assertEquals("true", row[3], "ended_at recorded");

        // ./nin show says where it diverged, from the store.
        NinProcess.Result show = nin.run("show", Long.toString(trial));
        assertEquals(0, show.exitCode(), show.all());
        List<String> lines = show.out().lines().toList();
        assertEquals("trial " + trial + ": diverged", lines.get(0));
        assertTrue(lines.contains("  diverged at " + line.group(1)), show.out());
    }

    /**
     * The book's setting (standard network, lr 0.1, plain SGD, Xavier) sits on the ln 10 plateau for
     * hundreds of steps (README, exercise 1); with --stall-steps 10 it stops at step 10 as stalled.
     */
    @Test
    void aStalledTrainingExitsWith9AndIsRecordedStalled() throws Exception {
        NinProcess.Result result = nin.run("train", "--variant", "standard", "--resize", "67", "--epochs", "1", "--batch", "32",
                "--train-limit", "384", "--validation", "64", "--test-limit", "64", "--lr", "0.1", "--stall-steps", "10",
                "--no-measure-memory");
        assertEquals(9, result.exitCode(), result.all());
        long trial = trialOf(result);
        assertTrue(result.out().contains("\ntraining stalled at epoch 1 step 10 (10 steps within 0.02 of ln 10): the loss stayed at"
                + " ln 10, the network predicts nothing yet; "), result.out());
        assertTrue(result.out().endsWith("see it with: ./nin show " + trial + "\n"), result.out());
        String[] row = row(trial);
        assertEquals("stalled", row[0]);
        assertNotNull(row[2]);
        assertTrue(row[2].startsWith("epoch 1 step 10 "), row[2]);
        assertEquals(null, row[1], "not diverged");
        assertEquals("true", row[3], "ended_at recorded");
        assertEquals(null, row[4], "a stall is no error");
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial)) {
            r.next();
            assertEquals(0, r.getInt(1), "stopped inside epoch 1 (12 steps): no epoch completed");
        }
    }
}
