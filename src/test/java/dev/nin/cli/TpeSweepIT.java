package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Metric;
import dev.nin.store.queue.PruningStore;
import dev.nin.store.queue.SweepAsks;
import dev.nin.store.queue.SweepStore;
import dev.nin.sweep.Pruning;
import dev.nin.sweep.StoreMapping;
import dev.nin.sweep.SweepFile;
import dev.nin.sweep.SweepParser;
import dev.nin.sweep.TpeSampler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ask-and-tell TPE on a real PostgreSQL (nin's embedded one, migrated by the packaged app, the
 * sweeps stored by {@code nin sweep --enqueue-only}). Trials are synthetic: a worker "trains" one
 * by computing a smooth function of its hyperparameters and recording it as its last epoch's
 * validation accuracy, so that many asks take seconds, not hours. The asks are nin's own
 * ({@link SweepAsks#ask(Connection, long, String, int, SweepAsks.Sampler)} with {@link TpeSampler}).
 */
class TpeSweepIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("tpe-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
    }

    @AfterAll
    static void stopStore() throws Exception {
        nin.run("db", "stop");
    }

    private static Connection db() throws SQLException {
        return TestDb.connect(home, port);
    }

    /** A TPE sweep file over a log, a uniform, an integer and a choice axis, stored with --enqueue-only. */
    private static SweepFile store(String name, int budget, int startup, String pruning) throws Exception {
        return store(name, budget, startup, pruning, List.of(), 0);
    }

    private static SweepFile store(String name, int budget, int startup, String pruning, List<String> flags, int asked)
            throws Exception {
        String content = """
                name: %s
                base: {epochs: 3, resize: 67}
                data: {train_limit: 1000, validation: 500, test_limit: 100}
                strategy: tpe
                budget: %d
                sampler_seed: 42
                tpe: {startup_trials: %d}
                axes:
                  lr: {log_uniform: [0.001, 1.0]}
                  momentum: {uniform: [0.0, 0.99]}
                  batch: {int_uniform: [16, 256]}
                  variant: [standard, nin-bn, no-1x1]
                seeds: [1]
                metric: validation_accuracy
                %s
                """.formatted(name, budget, startup, pruning);
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, content);
        List<String> args = new ArrayList<>(List.of("sweep", file.toString(), "--enqueue-only"));
        args.addAll(flags);
        NinProcess.Result r = nin.run(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.out().contains("budget " + budget + ", " + asked + " trials asked so far"), r.out());
        return SweepParser.parse(file.toString(), content);
    }

    private static long sweepId(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM sweeps WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next(), name);
                return r.getLong(1);
            }
        }
    }

    /** The synthetic accuracy: best near lr 0.05, momentum 0.9, batch 64, nin-bn. */
    private static double accuracy(Connection c, long trialId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT learning_rate, momentum, batch_size, variant FROM trials WHERE id = ?")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                double lr = Math.log10(r.getDouble(1)) - Math.log10(0.05);
                double momentum = r.getDouble(2) - 0.9;
                double batch = (r.getInt(3) - 64) / 100.0;
                double variant = r.getString(4).equals("nin-bn") ? 0 : 0.05;
                return 0.9 - 0.1 * lr * lr - 0.2 * momentum * momentum - 0.05 * batch * batch - variant;
            }
        }
    }

    private static void epoch(Connection c, long trialId, int epoch, double accuracy) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy,"
                + " validation_accuracy, images_per_second, train_seconds, seconds) VALUES (?, ?, 1.0, 0.5, ?, 100, 1, 1)")) {
            s.setLong(1, trialId);
            s.setInt(2, epoch);
            s.setDouble(3, accuracy);
            s.executeUpdate();
        }
    }

    private static void end(Connection c, long trialId, String state) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE trials SET state = ?, ended_at = clock_timestamp() WHERE id = ?")) {
            s.setString(1, state);
            s.setLong(2, trialId);
            assertEquals(1, s.executeUpdate());
        }
    }

    /** Trains a claimed trial synthetically to completion. */
    private static void complete(Connection c, long trialId) throws SQLException {
        epoch(c, trialId, 3, accuracy(c, trialId));
        end(c, trialId, "completed");
    }

    /** When (System.nanoTime) each trial's ask was called, and when its end was committed: the test's own clock. */
    private static final Map<Long, Long> ASKED_BEFORE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<Long, Long> ENDED_AFTER = new java.util.concurrent.ConcurrentHashMap<>();

    /** One worker: ask, train, repeat until the budget is spent; returns the trials it ran. */
    private static List<Long> work(SweepFile sweep, long sweepId, String worker, long pauseSeed) throws Exception {
        List<Long> ran = new ArrayList<>();
        SplittableRandom pause = new SplittableRandom(pauseSeed);
        try (Connection c = db()) {
            while (true) {
                long asking = System.nanoTime();
                Optional<SweepStore.Claim> claim = SweepAsks.ask(c, sweepId, worker, 60, new TpeSampler(sweep));
                if (claim.isEmpty()) {
                    return ran;
                }
                ASKED_BEFORE.put(claim.get().trialId(), asking);
                assertEquals(worker, one(c, "SELECT worker FROM trials WHERE id = " + claim.get().trialId()));
                Thread.sleep(pause.nextInt(1, 30));
                complete(c, claim.get().trialId());
                ENDED_AFTER.put(claim.get().trialId(), System.nanoTime());
                ran.add(claim.get().trialId());
            }
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet r = s.executeQuery()) {
            assertTrue(r.next(), sql);
            return r.getString(1);
        }
    }

    /** A recorded suggestion. */
    private record Suggestion(int askIndex, long trialId, String phase, JsonNode params, JsonNode history,
            java.sql.Timestamp at) {}

    private static List<Suggestion> suggestions(Connection c, long sweepId) throws Exception {
        List<Suggestion> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT ask_index, trial_id, phase, params::text, history::text, suggested_at"
                + " FROM trial_suggestions WHERE sweep_id = ? ORDER BY ask_index")) {
            s.setLong(1, sweepId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Suggestion(r.getInt(1), r.getLong(2), r.getString(3), JSON.readTree(r.getString(4)),
                            JSON.readTree(r.getString(5)), r.getTimestamp(6)));
                }
            }
        }
        return out;
    }

    @Test
    void twoWorkersShareOneHistoryAndTheBudget() throws Exception {
        int budget = 24;
        SweepFile sweep = store("tpe-two", budget, 6, "");
        long sweepId;
        try (Connection c = db()) {
            sweepId = sweepId(c, "tpe-two");
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<List<Long>>> workers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            workers.add(pool.submit(() -> work(sweep, sweepId, "worker-" + seed, seed)));
        }
        int ran = 0;
        for (Future<List<Long>> f : workers) {
            List<Long> mine = f.get();
            assertTrue(mine.size() > 0, "both workers ran trials");
            ran += mine.size();
        }
        pool.shutdown();
        assertEquals(budget, ran, "the two workers ran the budget between them");

        try (Connection c = db()) {
            assertEquals(String.valueOf(budget), one(c, "SELECT count(*) FROM trials WHERE sweep_id = " + sweepId), "budget respected");
            assertEquals(String.valueOf(budget), one(c, "SELECT count(DISTINCT trial_id) FROM trial_suggestions WHERE sweep_id = " + sweepId),
                    "every trial has its one suggestion");
            assertEquals("6", one(c, "SELECT count(*) FROM trials WHERE sampler_phase = 'start-up' AND sweep_id = " + sweepId));
            assertEquals(Optional.empty(), SweepAsks.ask(c, sweepId, "late", 60, new TpeSampler(sweep)), "a spent budget asks nothing");
            List<Suggestion> all = suggestions(c, sweepId);
            Map<Long, Suggestion> byTrial = new HashMap<>();
            all.forEach(s -> byTrial.put(s.trialId(), s));
            Map<Long, java.sql.Timestamp> ended = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, ended_at FROM trials WHERE sweep_id = ?")) {
                s.setLong(1, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        ended.put(r.getLong(1), r.getTimestamp(2));
                    }
                }
            }
            int pendingSeen = 0;
            for (Suggestion s : all) {
                assertEquals(s.askIndex() < 6 ? "start-up" : "model-guided", s.phase(), "suggestion " + s.askIndex());
                if (s.askIndex() < 6) {
                    assertEquals(0, s.history().size());
                    continue;
                }
                // Exactly the trials suggested before it, each as it stood at that instant.
                List<Long> used = new ArrayList<>();
                List<SweepAsks.Observed> observed = new ArrayList<>();
                for (JsonNode h : s.history()) {
                    long trial = h.get("trial").asLong();
                    used.add(trial);
                    Suggestion earlier = byTrial.get(trial);
                    assertTrue(earlier.askIndex() < s.askIndex(), "only earlier suggestions");
                    // As the trial stood when the suggestion was made: completed only if it had ended before
                    // (the database's clock); running only if its end was committed after the ask began (the test's).
                    boolean done = h.get("state").asText().equals("completed");
                    if (done) {
                        assertTrue(ended.get(trial).before(s.at()), "trial " + trial + " ended before suggestion " + s.askIndex());
                        assertTrue(!h.get("role").asText().equals("pending"));
                    } else {
                        assertEquals("running", h.get("state").asText(), "trial " + trial + " in suggestion " + s.askIndex());
                        assertTrue(ASKED_BEFORE.get(s.trialId()) < ENDED_AFTER.get(trial),
                                "trial " + trial + " was still running when suggestion " + s.askIndex() + " was asked for");
                        assertEquals("pending", h.get("role").asText());
                    }
                    pendingSeen += done ? 0 : 1;
                    observed.add(new SweepAsks.Observed(trial, earlier.params().toString(), h.get("state").asText(),
                            h.get("rung").asInt(), h.get("value").isNull() ? Double.NaN : h.get("value").asDouble()));
                }
                assertEquals(s.askIndex(), used.size(), "suggestion " + s.askIndex() + " used every earlier one");
                // Replaying the recorded history gives the recorded suggestion: it is the history it was computed from.
                String replayed = new TpeSampler(sweep).next(s.askIndex(), observed).params();
                assertEquals(s.params(), JSON.readTree(replayed), "suggestion " + s.askIndex() + " replayed");
            }
            assertTrue(pendingSeen > 0, "with two workers some suggestions counted the other's running trial as pending");
            // The best-so-far view: monotone, ending at the best completed trial.
            double best = Double.NEGATIVE_INFINITY;
            int rows = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT trials, value, best FROM best_so_far WHERE sweep = ? ORDER BY trials")) {
                s.setString(1, "tpe-two");
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        rows++;
                        assertEquals(rows, r.getInt(1));
                        best = Math.max(best, r.getDouble(2));
                        assertEquals(best, r.getDouble(3), 1e-12);
                    }
                }
            }
            assertEquals(budget, rows);
            assertEquals(one(c, "SELECT max(validation_accuracy) FROM epoch_metrics e JOIN trials t ON t.id = e.trial_id"
                    + " WHERE t.sweep_id = " + sweepId), String.valueOf(best));
        }
    }

    @Test
    void extendingTheBudgetLetsWorkersAskAgainAndKeepsTheHistory() throws Exception {
        SweepFile small = store("tpe-extend", 12, 4, "");
        // --new with the content it has, before any ask (no trial stored yet): it joins the sweep, and says so.
        NinProcess.Result same = nin.run("sweep", home.resolve("tpe-extend.yaml").toString(), "--enqueue-only", "--new");
        assertEquals(0, same.exitCode(), same.all());
        assertTrue(same.out().contains("\n--new: the stored sweep tpe-extend has this very content, so this run joins it;"),
                same.out());
        long sweepId;
        try (Connection c = db()) {
            sweepId = sweepId(c, "tpe-extend");
            assertEquals("1", one(c, "SELECT count(*) FROM sweeps WHERE name LIKE 'tpe-extend%'"));
        }
        assertEquals(12, work(small, sweepId, "w", 3).size());
        // The same file with budget 15: refused without a flag, then extended.
        Path file = home.resolve("tpe-extend.yaml");
        Files.writeString(file, Files.readString(file).replace("budget: 12", "budget: 15"));
        NinProcess.Result refused = nin.run("sweep", file.toString(), "--enqueue-only");
        assertEquals(2, refused.exitCode(), refused.all());
        assertTrue(refused.err().contains("--extend"), refused.all());
        SweepFile larger = store("tpe-extend", 15, 4, "", List.of("--extend"), 12);
        assertEquals(3, work(larger, sweepId, "w", 4).size(), "three more asks, then the new budget is spent");
        try (Connection c = db()) {
            List<Suggestion> all = suggestions(c, sweepId);
            assertEquals(15, all.size());
            assertEquals(14, all.get(14).history().size(), "the 15th suggestion used all 14 trials before it");
            assertEquals("15", one(c, "SELECT planned_trials FROM sweeps WHERE id = " + sweepId));
        }
    }

    @Test
    void anInterruptedSweepResumesWithTheSamePlan() throws Exception {
        SweepFile whole = store("tpe-whole", 14, 4, "");
        SweepFile broken = store("tpe-broken", 14, 4, "");
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        try (Connection c = db()) {
            long wholeId = sweepId(c, "tpe-whole");
            work(whole, wholeId, "w", 1);
            suggestions(c, wholeId).forEach(s -> expected.add(s.params().toString()));

            long brokenId = sweepId(c, "tpe-broken");
            // The first worker runs seven trials and dies while training the eighth (asked, claimed, never ended).
            for (int i = 0; i < 8; i++) {
                long trial = SweepAsks.ask(c, brokenId, "dies", 60, new TpeSampler(broken)).orElseThrow().trialId();
                if (i < 7) {
                    complete(c, trial);
                }
            }
            // A new worker takes the abandoned trial over (as the claim of an expired lease does), finishes it, goes on.
            long abandoned = Long.parseLong(one(c, "SELECT id FROM trials WHERE state = 'running' AND sweep_id = " + brokenId));
            try (PreparedStatement s = c.prepareStatement("UPDATE trials SET worker = 'resumes', attempt = attempt + 1 WHERE id = ?")) {
                s.setLong(1, abandoned);
                s.executeUpdate();
            }
            complete(c, abandoned);
            work(broken, brokenId, "resumes", 2);
            suggestions(c, brokenId).forEach(s -> actual.add(s.params().toString()));
        }
        assertEquals(14, expected.size());
        assertEquals(expected, actual);
    }

    @Test
    void aTrialPrunedAtRungOneIsInTheNextSuggestionsHistoryWithItsRung() throws Exception {
        SweepFile sweep = store("tpe-pruned", 8, 4, "pruning: {method: asha, min_epochs: 1, eta: 3}");
        Pruning.Asha asha = (Pruning.Asha) sweep.pruning();
        try (Connection c = db()) {
            long sweepId = sweepId(c, "tpe-pruned");
            PruningStore decisions = new PruningStore(TpeSweepIT::db);
            List<Long> trials = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                trials.add(SweepAsks.ask(c, sweepId, i == 3 ? "worker-a" : "worker-0", 60, new TpeSampler(sweep)).orElseThrow().trialId());
            }
            // Three trials do well at rung 1 and complete; worker A's does badly at rung 1 and is pruned there.
            for (int i = 0; i < 3; i++) {
                epoch(c, trials.get(i), 1, 0.8 + 0.01 * i);
                assertTrue(decisions.decide(sweepId, trials.get(i), 1, 0.8 + 0.01 * i, StoreMapping.rule(asha), Metric.VALIDATION_ACCURACY)
                        .promoted());
                complete(c, trials.get(i));
            }
            long pruned = trials.get(3);
            epoch(c, pruned, 1, 0.2);
            assertTrue(!decisions.decide(sweepId, pruned, 1, 0.2, StoreMapping.rule(asha), Metric.VALIDATION_ACCURACY).promoted());
            end(c, pruned, "pruned");
            // Worker B asks next: the model-guided suggestion saw the pruned trial with its rung and value there.
            long next = SweepAsks.ask(c, sweepId, "worker-b", 60, new TpeSampler(sweep)).orElseThrow().trialId();
            JsonNode history = null;
            for (Suggestion s : suggestions(c, sweepId)) {
                if (s.trialId() == next) {
                    assertEquals("model-guided", s.phase());
                    history = s.history();
                }
            }
            JsonNode entry = null;
            for (JsonNode h : history) {
                if (h.get("trial").asLong() == pruned) {
                    entry = h;
                }
            }
            assertTrue(entry != null, "pruned trial in the history: " + history);
            assertEquals("pruned", entry.get("state").asText());
            assertEquals(1, entry.get("rung").asInt());
            assertEquals(0.2, entry.get("value").asDouble(), 1e-12);
            // Ranked below the three completed trials: last of the four.
            assertEquals(pruned, history.get(3).get("trial").asLong());
            assertEquals(String.valueOf(pruned), one(c, "SELECT used_trial_id FROM suggestion_history WHERE trial_id = " + next
                    + " AND rung = 1"));
        }
    }
}
