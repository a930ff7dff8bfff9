package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A kill -9 at any moment of an epoch's commit loses nothing: the rerun of the sweep completes the
 * trial with every epoch recorded exactly once. Each point of the commit is reached through the
 * test hook ({@code NIN_TEST_PAUSE_AT}, see {@code PausePoint}), which holds the process there until
 * the test kills it; a few kills at seeded random instants cover what the hook does not name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KillIT {

    private static final int EPOCHS = 3;

    private Path home;
    private int port;
    /** What each kill hit and how its trial ended, printed at the end for the record. */
    private final List<String> figures = new ArrayList<>();

    @BeforeAll
    void freshHome() throws Exception {
        home = StoreIT.fresh("kill-it-home");
        port = NinProcess.freePort();
    }

    @AfterAll
    void stopServerAndReport() throws Exception {
        nin().run("db", "stop");
        System.out.println("KillIT figures (" + figures.size() + " kills):");
        figures.forEach(f -> System.out.println("  " + f));
    }

    private NinProcess nin() {
        return NinProcess.withHome(home, port);
    }

    /** One or more trials of {@value #EPOCHS} epochs on a few hundred images at 67 px: seconds each. */
    private Path sweepFile(String name, String lrs) throws Exception {
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: %d, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                axes:
                  lr: [%s]
                """.formatted(name, EPOCHS, lrs));
        return file;
    }

    private NinProcess.Result rerun(Path file) throws Exception {
        return nin().run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
    }

    @ParameterizedTest(name = "killed at {0} of epoch {1}")
    @CsvSource({
        // Epoch 1: nothing recorded yet (the kill the issue reports is epoch-announced of epoch 1).
        "checkpoint-written, 1", "checkpoint-marked, 1", "epoch-announced, 1",
        // Epoch 2: resumes after epoch 1 with a newer checkpoint on disk the store knows nothing of.
        "checkpoint-marked, 2", "epoch-announced, 2",
        // The last epoch recorded, the trial not yet ended: the rerun resumes with no epoch left to train.
        "epoch-recorded, 3",
        // The trial recorded as completed, its checkpoints not yet deleted: the next run deletes them.
        "trial-recorded, 1"})
    void aKillAtAnyPointOfTheEpochCommitLosesNothing(String point, int epoch) throws Exception {
        String name = "kill-" + point + "-" + epoch;
        Path file = sweepFile(name, "0.02");
        Path pauses = Files.createTempDirectory("nin-pause");
        Path marker = pauses.resolve("paused-" + point + "-" + epoch);
        Path out = Files.createTempFile("kill-it", ".txt");
        Process first = nin().env("NIN_TEST_PAUSE_AT", point + "@" + epoch).env("NIN_TEST_PAUSE_DIR", pauses.toString())
                .start(out, "sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(marker)) {
            assertTrue(first.isAlive(), "ended before reaching " + point + ": " + Files.readString(out));
            assertTrue(System.nanoTime() < deadline, "never reached " + point + ": " + Files.readString(out));
            Thread.sleep(20);
        }
        first.destroyForcibly();
        first.waitFor();
        String hit = killedState(name);

        NinProcess.Result second = rerun(file);
        assertEquals(0, second.exitCode(), second.all());
        // After trial-recorded there is nothing left to train: the rerun only tidies and reports.
        String expected = point.equals("trial-recorded") ? "sweep " + name + " now: 1 completed\n"
                : "1 completed, 0 diverged, 0 failed";
        assertTrue(second.out().contains(expected), second.all());
        assertEveryTrialCompletedWithEachEpochOnce(name, 1);
        figures.add(point + " of epoch " + epoch + " (" + hit + "): trial completed, epochs 1-" + EPOCHS + " once");
    }

    /**
     * Kills at seeded random instants, then reruns until the sweep is done. An instant is drawn as
     * a number of progress lines ({@code epoch N/M ...}: steps and epoch ends) of this run plus a
     * jitter of up to 300 ms, not as wall time: a loaded machine slows every run, and a
     * wall-clock instant would then land in start-up or after the end instead of inside the
     * training, which is what random kills are for. The commit's own points are the test above.
     */
    @Test
    void killsAtRandomInstantsLoseNothing() throws Exception {
        String name = "kill-random";
        Path file = sweepFile(name, "0.01, 0.02, 0.03");
        Random random = new Random(20261202L);
        int kills = 0;
        for (int run = 0; run < 6; run++) {
            Path out = Files.createTempFile("kill-it-random", ".txt");
            Process process = nin().start(out, "sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long lines = 1 + random.nextInt(8);
            while (process.isAlive() && progressLines(out) < lines) {
                assertTrue(System.nanoTime() < deadline, Files.readString(out));
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(300));
            if (!process.isAlive()) {
                assertEquals(0, process.exitValue(), Files.readString(out));
                break;
            }
            process.destroyForcibly();
            process.waitFor();
            kills++;
            figures.add("random kill " + kills + " (after " + lines + " progress lines): " + killedState(name));
        }
        NinProcess.Result last = rerun(file);
        assertEquals(0, last.exitCode(), last.all());
        // 9 epochs of work, each run killed within at most ~8 progress lines of starting: at least two kills land.
        assertTrue(kills >= 2, "the seeded instants should kill a few times, killed " + kills);
        assertEveryTrialCompletedWithEachEpochOnce(name, 3);
        figures.add("random kills: " + kills + ", then all 3 trials completed, epochs 1-" + EPOCHS + " once each");
    }

    private static long progressLines(Path out) throws IOException {
        return Files.readAllLines(out).stream().filter(l -> l.matches("epoch \\d+/\\d+.*")).count();
    }

    /** Where the kill left the trial in flight: epochs in the store, complete checkpoints on disk. */
    private String killedState(String sweep) throws SQLException {
        try (Connection c = TestDb.connect(home, port); PreparedStatement s = c.prepareStatement("""
                SELECT t.id, (SELECT count(*) FROM epoch_metrics m WHERE m.trial_id = t.id)
                FROM trials t JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = ? AND t.state = 'running'""")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return "no trial running";
                }
                long trial = r.getLong(1);
                Path folder = home.resolve("checkpoints").resolve("trial-" + trial);
                List<Integer> complete = IntStream.rangeClosed(1, EPOCHS)
                        .filter(e -> Files.exists(folder.resolve("epoch-" + e).resolve("complete"))).boxed().toList();
                return "trial " + trial + ": " + r.getInt(2) + " epochs recorded, complete checkpoints " + complete;
            }
        }
    }

    private void assertEveryTrialCompletedWithEachEpochOnce(String sweep, int trials) throws SQLException {
        Map<Long, List<Integer>> epochs = new TreeMap<>();
        try (Connection c = TestDb.connect(home, port); PreparedStatement s = c.prepareStatement("""
                SELECT t.id, t.state, m.epoch FROM trials t JOIN sweeps w ON w.id = t.sweep_id
                LEFT JOIN epoch_metrics m ON m.trial_id = t.id WHERE w.name = ? ORDER BY t.id, m.epoch""")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    assertEquals("completed", r.getString(2), "trial " + r.getLong(1));
                    List<Integer> of = epochs.computeIfAbsent(r.getLong(1), id -> new ArrayList<>());
                    int epoch = r.getInt(3);
                    if (!r.wasNull()) {
                        of.add(epoch);
                    }
                }
            }
        }
        assertEquals(trials, epochs.size(), epochs.toString());
        List<Integer> all = IntStream.rangeClosed(1, EPOCHS).boxed().toList();
        epochs.forEach((trial, recorded) -> {
            assertEquals(all, recorded, "trial " + trial + ": every epoch exactly once, in order");
            assertFalse(Files.exists(home.resolve("checkpoints").resolve("trial-" + trial)),
                    "trial " + trial + "'s checkpoints are deleted when it completes");
        });
    }
}
