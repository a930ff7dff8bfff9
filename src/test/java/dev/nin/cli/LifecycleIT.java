package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sweep's trials over their life, as README documents it, from real processes on real data, checked
 * in the rows of {@code trials} and {@code sweeps}: {@code --fail-fast} (exit code 7) for sweep and
 * worker, {@code worker --max-trials}, {@code sweep --retry-failed}, {@code --extend} and {@code --new},
 * and a worker whose lease expired losing its trial to another worker.
 */
class LifecycleIT {

    private static final Pattern COMPLETED = Pattern.compile("trial (\\d+) completed");

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void freshHome() throws Exception {
        home = StoreIT.fresh("lifecycle-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        // Start the embedded server from a short-lived process, so no process a test stops owns it.
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    private static Connection db() throws SQLException {
        return TestDb.connect(home, port);
    }

    /** A sweep file of tiny trials (4-conv variant at 67 px, a few hundred images): each trains in seconds. */
    private static Path sweepFile(String name, int epochs, int trainLimit, String lrs) throws Exception {
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: %d, batch: 64, momentum: 0.9}
                data: {train_limit: %d, validation: 64, test_limit: 64}
                axes:
                  lr: [%s]
                """.formatted(name, epochs, trainLimit, lrs));
        return file;
    }

    /** One trial's row, as the test reads it. */
    record Trial(long id, int planIndex, String state, int attempt, double lr, String error, String divergedAt, Timestamp endedAt,
            String worker, int epochs) {}

    /** The trials of sweep {@code name}, in plan order. */
    private static List<Trial> trials(String name) throws SQLException {
        List<Trial> out = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT t.id, t.plan_index, t.state, t.attempt, t.learning_rate, t.error, t.diverged_at,"
                        + " t.ended_at, t.worker, (SELECT count(*) FROM epoch_metrics m WHERE m.trial_id = t.id)"
                        + " FROM trials t JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = '" + name + "' ORDER BY t.plan_index")) {
            while (r.next()) {
                out.add(new Trial(r.getLong(1), r.getInt(2), r.getString(3), r.getInt(4), r.getDouble(5), r.getString(6), r.getString(7),
                        r.getTimestamp(8), r.getString(9), r.getInt(10)));
            }
        }
        return out;
    }

    private static List<String> states(List<Trial> trials) {
        return trials.stream().map(Trial::state).toList();
    }

    private static List<Integer> attempts(List<Trial> trials) {
        return trials.stream().map(Trial::attempt).toList();
    }

    private static String one(String sql) throws SQLException {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            assertTrue(r.next(), "no row for " + sql);
            String value = r.getString(1);
            assertFalse(r.next(), "one row for " + sql);
            return value;
        }
    }

    private static String[] sweepOpts(String... more) {
        List<String> args = new ArrayList<>(List.of(more));
        args.addAll(List.of("--skip-estimate", "--no-measure-memory"));
        return args.toArray(String[]::new);
    }

    /**
     * A worker that claims a trial and then cannot start it (here: the dataset in its cache is
     * truncated) exits with the data error, and the trial goes back to the queue at once, interrupted
     * with the reason, rather than running in the store until the worker's death is noticed; its
     * third attempt marks it failed. Once the cache is repaired, --retry-failed trains it.
     */
    @Test
    void aWorkerThatCannotStartItsClaimGivesTheTrialBack() throws Exception {
        Path other = StoreIT.fresh("lifecycle-it-bad-data");
        int otherPort = NinProcess.freePort();
        NinProcess worker = NinProcess.withHome(other, otherPort);
        try {
            Path data = Files.createDirectories(other.resolve("data"));
            for (String name : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
                Files.copy(dev.nin.data.DatasetLocator.DEBIAN_FOLDER.resolve(name + ".gz"), data.resolve(name + ".gz"));
            }
            Path train = data.resolve("train-images-idx3-ubyte.gz");
            byte[] whole = Files.readAllBytes(train);
            Files.write(train, java.util.Arrays.copyOf(whole, whole.length / 2));
            Path file = other.resolve("given-back.yaml");
            Files.writeString(file, Files.readString(sweepFile("given-back", 1, 256, "0.05")));

            // Given back twice (attempts 1 and 2); the third attempt marks it failed, so that a trial
            // no worker can start does not draw every worker to it for good.
            for (int attempt = 1; attempt <= 3; attempt++) {
                NinProcess.Result failed = worker.run(sweepOpts("sweep", file.toString()));
                assertEquals(ExitCode.DATA.code, failed.exitCode(), failed.all());
                assertEquals(1, failed.err().lines().count(), failed.err());
                try (Connection c = TestDb.connect(other, otherPort); Statement s = c.createStatement();
                        ResultSet r = s.executeQuery("SELECT state, attempt, error, ended_at IS NOT NULL, lease_expires_at FROM trials")) {
                    assertTrue(r.next());
                    assertEquals(attempt < 3 ? "interrupted" : "failed", r.getString(1), "given back, not left running");
                    assertEquals(attempt, r.getInt(2));
                    assertTrue(r.getString(3).startsWith("worker ") && r.getString(3).contains(" could not go on with it: ")
                            && r.getString(3).contains("train-images-idx3-ubyte.gz"), r.getString(3));
                    assertEquals(attempt == 3, r.getString(3).endsWith(" (attempt 3: marked failed so that workers stop taking"
                            + " it; ./nin sweep --retry-failed queues it again)"), r.getString(3));
                    assertTrue(r.getBoolean(4));
                    assertNull(r.getObject(5));
                    assertFalse(r.next());
                }
            }

            Files.write(train, whole);
            NinProcess.Result again = worker.run(sweepOpts("sweep", file.toString(), "--retry-failed"));
            assertEquals(0, again.exitCode(), again.all());
            try (Connection c = TestDb.connect(other, otherPort); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT state, attempt, error FROM trials")) {
                assertTrue(r.next());
                assertEquals("completed", r.getString(1));
                assertEquals(4, r.getInt(2));
                assertNull(r.getString(3), "the give-back's reason no longer describes the trial");
            }
        } finally {
            worker.run("db", "stop");
        }
    }

    /**
     * Five trials; lr 1e6 (the second) diverges, the others train. While the checkpoint folder cannot be
     * made (a file stands where {@code NIN_HOME/checkpoints} should be), every trial that reaches the end
     * of its first epoch fails.
     * <ol>
     * <li>{@code sweep --fail-fast}: the first trial fails, the sweep stops there with exit code 7; the
     * other four stay pending (attempt 0).</li>
     * <li>{@code worker --fail-fast}: the diverging trial does not stop it (diverged is not failed); the
     * next one fails and it stops with 7; two stay pending.</li>
     * <li>Folder repaired; {@code worker --max-trials 1}: exactly one trial runs, one stays pending.</li>
     * <li>{@code sweep --retry-failed}: the failed and diverged trials go back to pending and run again
     * with the pending one; the completed trial is not run again.</li>
     * </ol>
     */
    @Test
    void failFastMaxTrialsAndRetryFailed() throws Exception {
        Path file = sweepFile("fragile", 1, 256, "0.05, 1000000.0, 0.02, 0.03, 0.04");
        Path checkpoints = home.resolve("checkpoints");
        assertFalse(Files.exists(checkpoints) && !Files.isDirectory(checkpoints));
        if (Files.isDirectory(checkpoints)) {
            try (var walk = Files.walk(checkpoints)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.writeString(checkpoints, "a file where nin's checkpoint folder should be\n");
        try {
            // 1. sweep --fail-fast
            NinProcess.Result first = nin.run(sweepOpts("sweep", file.toString(), "--fail-fast"));
            assertEquals(7, first.exitCode(), first.all());
            assertTrue(first.out().contains("\nthis worker ran 1 trials: 0 completed, 0 diverged, 1 failed, 0 stalled, 0 pruned\n"),
                    first.out());
            assertTrue(first.out().contains("\nsweep fragile now: 1 failed, 4 pending\n"), first.out());
            assertTrue(first.out().endsWith("stopped at the first failed trial (--fail-fast); rerun to go on\n"), first.out());
            List<Trial> t = trials("fragile");
            assertEquals(List.of("failed", "pending", "pending", "pending", "pending"), states(t));
            assertEquals(List.of(1, 0, 0, 0, 0), attempts(t));
            assertTrue(t.get(0).error().startsWith("could not prepare the checkpoint of epoch 1 in "
                    + checkpoints.resolve("trial-" + t.get(0).id())), t.get(0).error());
            assertTrue(t.get(0).endedAt() != null, "a failed trial has ended");

            // 2. worker --fail-fast: goes past the diverged trial, stops at the next failure.
            NinProcess.Result second = nin.run("worker", "--sweep", "fragile", "--fail-fast", "--no-measure-memory");
            assertEquals(7, second.exitCode(), second.all());
            assertTrue(second.out().contains("\nthis worker ran 2 trials: 0 completed, 1 diverged, 1 failed, 0 stalled, 0 pruned\n"),
                    second.out());
            assertTrue(second.out().endsWith("stopped at the first failed trial (--fail-fast); rerun to go on\n"), second.out());
            t = trials("fragile");
            assertEquals(List.of("failed", "diverged", "failed", "pending", "pending"), states(t));
            assertEquals(List.of(1, 1, 1, 0, 0), attempts(t));
            assertTrue(t.get(1).divergedAt().startsWith("epoch 1 step "), t.get(1).divergedAt());
        } finally {
            Files.delete(checkpoints);
        }

        // 3. worker --max-trials 1: one trial, the next stays pending.
        NinProcess.Result third = nin.run("worker", "--sweep", "fragile", "--max-trials", "1", "--no-measure-memory");
        assertEquals(0, third.exitCode(), third.all());
        assertTrue(third.out().contains("\nthis worker ran 1 trials: 1 completed, 0 diverged, 0 failed, 0 stalled, 0 pruned\n"),
                third.out());
        List<Trial> t = trials("fragile");
        assertEquals(List.of("failed", "diverged", "failed", "completed", "pending"), states(t));
        assertEquals(List.of(1, 1, 1, 1, 0), attempts(t));
        Timestamp thirdEnded = t.get(3).endedAt();

        // 4. sweep --retry-failed: failed and diverged run again, with what is pending; the completed one is kept.
        NinProcess.Result fourth = nin.run(sweepOpts("sweep", file.toString(), "--retry-failed"));
        assertEquals(0, fourth.exitCode(), fourth.all());
        assertTrue(fourth.out().contains(": 0 new trials, 5 already there\n3 failed or diverged trials will run again\n"), fourth.out());
        assertTrue(fourth.out().contains("\nthis worker ran 4 trials: 3 completed, 1 diverged, 0 failed, 0 stalled, 0 pruned\n"),
                fourth.out());
        t = trials("fragile");
        assertEquals(List.of("completed", "diverged", "completed", "completed", "completed"), states(t));
        assertEquals(List.of(2, 2, 2, 1, 1), attempts(t));
        assertNull(t.get(0).error(), "the old failure is cleared");
        assertNull(t.get(2).error(), "the old failure is cleared");
        assertEquals(thirdEnded, t.get(3).endedAt(), "the completed trial did not run again");
        assertEquals(List.of(1, 0, 1, 1, 1), t.stream().map(Trial::epochs).toList(), "each completed trial has its one epoch once");
        assertEquals(List.of(0.05, 1e6, 0.02, 0.03, 0.04), t.stream().map(Trial::lr).toList());
    }

    /**
     * The same name with other content is refused (exit 2, nothing written); {@code --extend} adds the
     * file's new trials to the sweep and keeps what it ran; {@code --new} renames the old sweep
     * {@code NAME~ID}, with its trials, and starts afresh.
     */
    @Test
    void changedSweepIsRefusedExtendedOrStartedAnew() throws Exception {
        Path file = sweepFile("grow", 1, 256, "0.05");
        String v1 = Files.readString(file);
        NinProcess.Result first = nin.run(sweepOpts("sweep", file.toString()));
        assertEquals(0, first.exitCode(), first.all());
        long oldId = Long.parseLong(one("SELECT id FROM sweeps WHERE name = 'grow'"));
        List<Trial> before = trials("grow");
        assertEquals(List.of("completed"), states(before));

        // The user edits the file: a second learning rate.
        sweepFile("grow", 1, 256, "0.05, 0.02");
        String v2 = Files.readString(file);
        assertNotEquals(v1, v2);
        java.util.SortedMap<String, Long> rows;
        try (Connection c = db()) {
            rows = TestDb.rowCounts(c);
        }
        NinProcess.Result refused = nin.run(sweepOpts("sweep", file.toString()));
        assertEquals(2, refused.exitCode(), refused.all());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertTrue(refused.err().startsWith("nin sweep: error: sweep grow: the store already has a sweep of this name with other"
                + " content (from " + file + ", "), refused.err());
        assertTrue(refused.err().contains("Rerun with --extend to add this file's new trials to it, or --new to keep the old one"
                + " as 'grow~" + oldId + "' and start afresh. Nothing was written.\n"), refused.err());
        try (Connection c = db()) {
            assertEquals(rows, TestDb.rowCounts(c), "nothing written");
        }
        assertEquals(v1, one("SELECT content FROM sweeps WHERE id = " + oldId));

        NinProcess.Result both = nin.run(sweepOpts("sweep", file.toString(), "--new", "--extend"));
        assertEquals(2, both.exitCode(), both.all());
        assertEquals("nin sweep: error: --new and --extend: expected one of them, found both\n", both.err());

        // --extend: the same sweep, one trial added, the one it had kept as it was.
        NinProcess.Result extended = nin.run(sweepOpts("sweep", file.toString(), "--extend"));
        assertEquals(0, extended.exitCode(), extended.all());
        assertTrue(extended.out().contains(": 1 new trials, 1 already there\n"), extended.out());
        assertTrue(extended.out().contains("\nthis worker ran 1 trials: 1 completed, "), extended.out());
        assertEquals("1", one("SELECT count(*) FROM sweeps WHERE name LIKE 'grow%'"));
        assertEquals(Long.toString(oldId), one("SELECT id FROM sweeps WHERE name = 'grow'"));
        assertEquals(v2, one("SELECT content FROM sweeps WHERE id = " + oldId), "the sweep now holds the extended file");
        assertEquals("2", one("SELECT planned_trials FROM sweeps WHERE id = " + oldId));
        List<Trial> after = trials("grow");
        assertEquals(List.of("completed", "completed"), states(after));
        assertEquals(List.of(0.05, 0.02), after.stream().map(Trial::lr).toList());
        assertEquals(before.get(0).id(), after.get(0).id());
        assertEquals(1, after.get(0).attempt(), "the trial it had did not run again");
        assertEquals(before.get(0).endedAt(), after.get(0).endedAt());

        // --new: the old sweep keeps its trials as grow~ID; a fresh sweep takes the name.
        sweepFile("grow", 1, 256, "0.01");
        String v3 = Files.readString(file);
        NinProcess.Result fresh = nin.run(sweepOpts("sweep", file.toString(), "--new"));
        assertEquals(0, fresh.exitCode(), fresh.all());
        assertTrue(fresh.out().contains("\nthe previous sweep of this name is kept as grow~" + oldId + "\n"), fresh.out());
        assertTrue(fresh.out().contains(": 1 new trials, 0 already there\n"), fresh.out());
        assertEquals("2", one("SELECT count(*) FROM sweeps WHERE name LIKE 'grow%'"));
        assertEquals(Long.toString(oldId), one("SELECT id FROM sweeps WHERE name = 'grow~" + oldId + "'"));
        assertEquals(v2, one("SELECT content FROM sweeps WHERE id = " + oldId));
        long newId = Long.parseLong(one("SELECT id FROM sweeps WHERE name = 'grow'"));
        assertNotEquals(oldId, newId);
        assertEquals(v3, one("SELECT content FROM sweeps WHERE id = " + newId));
        assertEquals(List.of("completed", "completed"), states(trials("grow~" + oldId)), "the old trials stay with the old sweep");
        assertEquals(after.stream().map(Trial::id).toList(), trials("grow~" + oldId).stream().map(Trial::id).toList());
        List<Trial> renewed = trials("grow");
        assertEquals(List.of("completed"), states(renewed));
        assertEquals(List.of(0.01), renewed.stream().map(Trial::lr).toList());

        // --new with the content the sweep already has joins it, and says so: nothing renamed, nothing rerun.
        NinProcess.Result same = nin.run(sweepOpts("sweep", file.toString(), "--new"));
        assertEquals(0, same.exitCode(), same.all());
        assertTrue(same.out().contains("\n--new: the stored sweep grow has this very content, so this run joins it; to run it"
                + " again from scratch, change the file's name: field\n"), same.out());
        assertEquals("2", one("SELECT count(*) FROM sweeps WHERE name LIKE 'grow%'"));
        assertEquals(renewed, trials("grow"));
    }

    /**
     * Worker A is frozen (SIGSTOP) after its trial's first epoch; its heartbeat and lease are aged past
     * the two-minute lease in SQL, as if minutes had passed. Worker B takes the trial over (attempt 2),
     * resumes it from A's checkpoint and completes it. When A wakes up, its writes are refused (the
     * claim is lost): it records nothing, says the trial was taken over, and the trial completed once.
     */
    @Test
    void aWorkerWhoseLeaseExpiredLosesItsTrialAndItsWritesAreRefused() throws Exception {
        Path file = sweepFile("lease", 3, 1024, "0.05");
        Path outA = Files.createTempFile("lease-a", ".txt");
        Process a = nin.start(outA, sweepOpts("sweep", file.toString()));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long trial;
        while (true) {
            assertTrue(a.isAlive(), "worker A ended early: " + Files.readString(outA));
            assertTrue(System.nanoTime() < deadline, "no epoch within 3 minutes: " + Files.readString(outA));
            List<Trial> t = trials("lease");
            if (!t.isEmpty() && t.get(0).epochs() >= 1) {
                signal("STOP", a.pid());
                trial = t.get(0).id();
                break;
            }
            Thread.sleep(20);
        }
        Process b = null;
        try {
            List<Trial> held = trials("lease");
            assertEquals("running", held.get(0).state());
            assertEquals(1, held.get(0).attempt());
            assertTrue(held.get(0).worker().endsWith(":" + a.pid()), held.get(0).worker());
            int epochsOfA = held.get(0).epochs();
            assertTrue(epochsOfA < 3, "A was stopped before it finished: " + epochsOfA + " epochs");
            try (Connection c = db(); Statement s = c.createStatement()) {
                assertEquals(1, s.executeUpdate("UPDATE trials SET heartbeat_at = now() - interval '5 minutes',"
                        + " lease_expires_at = now() - interval '3 minutes' WHERE id = " + trial));
            }

            Path outB = Files.createTempFile("lease-b", ".txt");
            b = nin.start(outB, "worker", "--sweep", "lease", "--no-measure-memory");
            assertTrue(b.waitFor(5, TimeUnit.MINUTES), "worker B finished");
            String textB = Files.readString(outB);
            assertEquals(0, b.exitValue(), textB + Files.readString(outB.resolveSibling(outB.getFileName() + ".err")));
            assertTrue(textB.contains("resuming after epoch " + epochsOfA), textB);
            assertTrue(textB.contains("\nthis worker ran 1 trials: 1 completed, 0 diverged, 0 failed, 0 stalled, 0 pruned\n"), textB);

            List<Trial> taken = trials("lease");
            assertEquals("completed", taken.get(0).state());
            assertEquals(2, taken.get(0).attempt());
            assertTrue(taken.get(0).worker().endsWith(":" + b.pid()), taken.get(0).worker());
            assertEquals(3, taken.get(0).epochs());
            Timestamp endedByB = taken.get(0).endedAt();
            String beforeWake = one("SELECT now()");

            // A wakes up in the middle of its second epoch and tries to record it and go on.
            signal("CONT", a.pid());
            assertTrue(a.waitFor(3, TimeUnit.MINUTES), "worker A finished");
            String textA = Files.readString(outA);
            assertEquals(0, a.exitValue(), textA + Files.readString(outA.resolveSibling(outA.getFileName() + ".err")));
            assertTrue(textA.contains("\nthis worker ran 1 trials: 0 completed, 0 diverged, 0 failed, 0 stalled, 0 pruned,"
                    + " 1 taken over by another worker\n"), textA);
            assertTrue(textA.contains("\nsweep lease now: 1 completed\n"), textA);
            assertTrue(textA.contains("\ntrial " + trial + " lost (trial " + trial + ": attempt 1 lost its claim (lease expired and"
                    + " another worker took it); its results were not recorded)"), textA);

            List<Trial> last = trials("lease");
            assertEquals("completed", last.get(0).state(), "A's end was refused");
            assertEquals(2, last.get(0).attempt());
            assertTrue(last.get(0).worker().endsWith(":" + b.pid()), last.get(0).worker());
            assertEquals(endedByB, last.get(0).endedAt());
            assertNull(last.get(0).error());
            assertEquals("3", one("SELECT count(DISTINCT epoch) FROM epoch_metrics WHERE trial_id = " + trial));
            assertEquals("0", one("SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial + " AND recorded_at >= '"
                    + beforeWake + "'::timestamptz"), "A's epoch write was refused");
            Matcher done = COMPLETED.matcher(textA + textB);
            int completions = 0;
            while (done.find()) {
                assertEquals(Long.toString(trial), done.group(1));
                completions++;
            }
            assertEquals(1, completions, "the trial completed once:\n" + textA + "\n" + textB);
        } finally {
            if (a.isAlive()) {
                signal("CONT", a.pid());
                a.destroyForcibly();
            }
            if (b != null && b.isAlive()) {
                b.destroyForcibly();
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + pid);
    }
}
