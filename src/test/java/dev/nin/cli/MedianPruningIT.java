package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Metric;
import dev.nin.sweep.StoreMapping;
import dev.nin.store.queue.PruningStore;
import dev.nin.sweep.Pruning;
import dev.nin.sweep.SweepFile;
import dev.nin.sweep.SweepParser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The median stopping rule decided in PostgreSQL (ASHA has {@link PruningIT}; the median rule had only
 * pure unit tests): its competitors are the other trials of the same sweep with a value at the same
 * epoch, read from {@code epoch_metrics}; each decision lands once in {@code pruning_decisions} with
 * method {@code median}. Expected verdicts are worked out by hand from the values inserted here.
 */
class MedianPruningIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("median-pruning-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopStore() throws Exception {
        nin.run("db", "stop");
    }

    private static Connection db() throws SQLException {
        return TestDb.connect(home, port);
    }

    private static long sweep(Statement s, String name) throws SQLException {
        try (ResultSet r = s.executeQuery("INSERT INTO sweeps (name, content_hash) VALUES ('" + name + "', 'x') RETURNING id")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** A trial of the sweep, after its planned ones (every sweep trial has a plan index). */
    private static long trial(Statement s, long sweepId, String name, String state) throws SQLException {
        try (ResultSet r = s.executeQuery("INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate,"
                + " epochs, batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size,"
                + " test_limit, config, config_hash, nin_version, java_version) VALUES (" + sweepId + ", (SELECT coalesce(max(plan_index), -1) + 1"
                + " FROM trials WHERE sweep_id = " + sweepId + "), '" + name + "', '" + state
                + "', 'no-1x1', 1, 0.1, 4, 64, 67, 0, false, 0, 0.5, 0, 64, 0, '{}', 'h-" + name + "', 'test', '17') RETURNING id")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** An epoch row; {@code validation} null means not measured. */
    private static void epoch(Statement s, long trial, int epoch, double loss, Double validation) throws SQLException {
        s.execute("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy, validation_accuracy, test_accuracy,"
                + " images_per_second, train_seconds, seconds) VALUES (" + trial + ", " + epoch + ", " + loss + ", 0.5, "
                + (validation == null ? "NULL" : validation.toString()) + ", 0.5, 100, 1, 1)");
    }

    private static SweepFile parse(String name, String metric, String pruning) {
        return SweepParser.parse(name + ".yaml", """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: 4, batch: 64}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                metric: %s
                pruning: %s
                """.formatted(name, metric, pruning));
    }

    private static String decision(PruningStore.Decision d) {
        return (d.promoted() ? "promoted" : "pruned") + " against " + d.competitors() + " by " + d.method();
    }

    @Test
    void decisionsComeFromTheSweepsOtherTrialsAtTheSameEpoch() throws Exception {
        SweepFile byAccuracy = parse("median-acc", "validation_accuracy", "{method: median, min_epochs: 2, min_trials: 3}");
        Pruning median = byAccuracy.pruning();
        PruningStore.Rule rule = StoreMapping.rule(median);
        assertEquals("validation_accuracy", byAccuracy.metric().column);
        // min_epochs 2 of 4: judged after epochs 2 and 3, never after the first nor the last.
        assertEquals(List.of(false, true, true, false), List.of(median.judgesAt(1, 4), median.judgesAt(2, 4), median.judgesAt(3, 4),
                median.judgesAt(4, 4)));
        SweepFile byLoss = parse("median-loss", "train_loss", "{method: median, min_epochs: 1, min_trials: 1}");

        PruningStore store = new PruningStore(MedianPruningIT::db);
        long a;
        long other;
        long lossSweep;
        long j1;
        long j2;
        long j3;
        long k1;
        long k2;
        try (Connection c = db(); Statement s = c.createStatement()) {
            a = sweep(s, "median-acc");
            other = sweep(s, "median-other");
            lossSweep = sweep(s, "median-loss");
            // Sweep a at epoch 2: 0.60 and 0.70, and one trial without a validation value there; epoch 1 values
            // are all high (they must not count at epoch 2). Another sweep has a low value at epoch 2.
            long c1 = trial(s, a, "c1", "completed");
            epoch(s, c1, 1, 1.0, 0.99);
            epoch(s, c1, 2, 1.0, 0.60);
            long c2 = trial(s, a, "c2", "completed");
            epoch(s, c2, 1, 1.0, 0.99);
            epoch(s, c2, 2, 1.0, 0.70);
            long c4 = trial(s, a, "c4", "completed");
            epoch(s, c4, 1, 1.0, 0.99);
            epoch(s, c4, 2, 1.0, null);
            long x = trial(s, other, "x", "completed");
            epoch(s, x, 2, 1.0, 0.05);
            // The judged trial's own row is recorded before it is judged, as the recorder does.
            j1 = trial(s, a, "j1", "running");
            epoch(s, j1, 2, 1.0, 0.10);
        }
        // 1. Others at epoch 2 in sweep a: 0.60, 0.70 (not c4's missing value, not sweep x, not j1 itself):
        //    two, fewer than min_trials 3, so it goes on however low it is.
        assertEquals("promoted against 2 by median", decision(store.decide(a, j1, 2, 0.10, rule, Metric.VALIDATION_ACCURACY)));

        try (Connection c = db(); Statement s = c.createStatement()) {
            long c3 = trial(s, a, "c3", "completed");
            epoch(s, c3, 2, 1.0, 0.80);
            j2 = trial(s, a, "j2", "running");
            epoch(s, j2, 2, 1.0, 0.64);
        }
        // 2. Others: 0.10 (j1), 0.60, 0.70, 0.80: the median of four is (0.60 + 0.70) / 2 = 0.65; 0.64 is worse.
        assertEquals("pruned against 4 by median", decision(store.decide(a, j2, 2, 0.64, rule, Metric.VALIDATION_ACCURACY)));

        try (Connection c = db(); Statement s = c.createStatement()) {
            j3 = trial(s, a, "j3", "running");
            epoch(s, j3, 2, 1.0, 0.64);
        }
        // 3. Others: 0.10, 0.60, 0.64 (j2), 0.70, 0.80: the median is 0.64; equal to it goes on.
        assertEquals("promoted against 5 by median", decision(store.decide(a, j3, 2, 0.64, rule, Metric.VALIDATION_ACCURACY)));
        // 4. Asked again (a resumed trial), j2 gets its recorded decision, whatever the value now.
        assertEquals("pruned against 4 by median", decision(store.decide(a, j2, 2, 0.99, rule, Metric.VALIDATION_ACCURACY)));

        try (Connection c = db(); Statement s = c.createStatement()) {
            for (double loss : new double[] {0.5, 0.7, 0.9}) {
                epoch(s, trial(s, lossSweep, "l" + loss, "completed"), 1, loss, 0.5);
            }
            k1 = trial(s, lossSweep, "k1", "running");
            epoch(s, k1, 1, 0.8, 0.5);
            k2 = trial(s, lossSweep, "k2", "running");
            epoch(s, k2, 1, 0.6, 0.5);
        }
        // 5. By training loss, lower is better. k1: others 0.5, 0.6 (k2), 0.7, 0.9, median 0.65; 0.8 is worse.
        assertEquals("pruned against 4 by median", decision(store.decide(lossSweep, k1, 1, 0.8, StoreMapping.rule(byLoss.pruning()), Metric.TRAIN_LOSS)));
        // k2: others 0.5, 0.7, 0.8 (k1), 0.9, median 0.75; 0.6 is better.
        assertEquals("promoted against 4 by median", decision(store.decide(lossSweep, k2, 1, 0.6, StoreMapping.rule(byLoss.pruning()), Metric.TRAIN_LOSS)));

        List<String> rows = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT trial_id, epoch, sweep_id, method, metric_value, competitors, decision"
                        + " FROM pruning_decisions WHERE sweep_id IN (" + a + ", " + other + ", " + lossSweep + ") ORDER BY decided_at")) {
            while (r.next()) {
                rows.add(r.getLong(1) + " " + r.getInt(2) + " " + r.getLong(3) + " " + r.getString(4) + " " + r.getDouble(5) + " "
                        + r.getInt(6) + " " + r.getString(7));
            }
        }
        assertEquals(List.of(j1 + " 2 " + a + " median 0.1 2 promoted", j2 + " 2 " + a + " median 0.64 4 pruned",
                j3 + " 2 " + a + " median 0.64 5 promoted", k1 + " 1 " + lossSweep + " median 0.8 4 pruned",
                k2 + " 1 " + lossSweep + " median 0.6 4 promoted"), rows);
    }

    /**
     * A real sweep with {@code pruning: {method: median}}: its one trial, judged after epoch 1 against three
     * trials of the sweep that reached 0.95-0.97 validation accuracy there, is stopped as {@code pruned}
     * after recording epoch 1, and the decision is in {@code pruning_decisions} with method median.
     * (The sweep is stored first by a run whose trial fails: a file stands where the checkpoint folder
     * should be; the competitors are then inserted and {@code --retry-failed} runs the trial.)
     */
    @Test
    void aSweepWithTheMedianRulePrunesItsTrialInTheStore() throws Exception {
        Path file = home.resolve("median.yaml");
        Files.writeString(file, """
                name: median
                base: {variant: no-1x1, resize: 67, epochs: 2, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                axes:
                  lr: [0.05]
                pruning: {method: median, min_epochs: 1, min_trials: 3}
                """);
        Path checkpoints = home.resolve("checkpoints");
        assertFalse(Files.exists(checkpoints), "no checkpoint folder yet in this fresh home");
        Files.writeString(checkpoints, "a file where nin's checkpoint folder should be\n");
        try {
            NinProcess.Result stored = nin.run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
            assertEquals(0, stored.exitCode(), stored.all());
            assertTrue(stored.out().contains("\nsweep median now: 1 failed\n"), stored.out());
        } finally {
            Files.delete(checkpoints);
        }
        long sweepId;
        long trial;
        try (Connection c = db(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT w.id, t.id FROM sweeps w JOIN trials t ON t.sweep_id = w.id WHERE w.name = 'median'")) {
                assertTrue(r.next());
                sweepId = r.getLong(1);
                trial = r.getLong(2);
                assertFalse(r.next());
            }
            assertEquals(0, count(s, "SELECT count(*) FROM pruning_decisions WHERE sweep_id = " + sweepId), "the failed run judged nothing");
            for (double accuracy : new double[] {0.95, 0.96, 0.97}) {
                epoch(s, trial(s, sweepId, "by hand " + accuracy, "completed"), 1, 0.2, accuracy);
            }
        }
        NinProcess.Result run = nin.run("sweep", file.toString(), "--retry-failed", "--skip-estimate", "--no-measure-memory");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("\nthis worker ran 1 trials: 0 completed, 0 diverged, 0 failed, 0 stalled, 1 pruned\n"), run.out());
        try (Connection c = db(); Statement s = c.createStatement()) {
            double recorded;
            try (ResultSet r = s.executeQuery("SELECT validation_accuracy FROM epoch_metrics WHERE trial_id = " + trial + " AND epoch = 1")) {
                assertTrue(r.next(), "epoch 1 is recorded before it is judged");
                recorded = r.getDouble(1);
            }
            assertTrue(recorded < 0.95, "a 1-epoch trial on 256 images is far from 0.96: " + recorded);
            assertEquals(1, count(s, "SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial), "epoch 2 never ran");
            try (ResultSet r = s.executeQuery("SELECT state, stopped_at FROM trials WHERE id = " + trial)) {
                r.next();
                assertEquals("pruned", r.getString(1));
                assertEquals(String.format(java.util.Locale.ROOT, "epoch 1: validation_accuracy %.4f worse than the median of 3 others",
                        recorded), r.getString(2));
            }
            try (ResultSet r = s.executeQuery("SELECT trial_id, epoch, sweep_id, method, metric_value, competitors, decision"
                    + " FROM pruning_decisions WHERE sweep_id = " + sweepId)) {
                assertTrue(r.next());
                assertEquals(List.of(trial, 1L, sweepId), List.of(r.getLong(1), (long) r.getInt(2), r.getLong(3)));
                assertEquals("median", r.getString(4));
                assertEquals(recorded, r.getDouble(5), 0.0);
                assertEquals(3, r.getInt(6));
                assertEquals("pruned", r.getString(7));
                assertFalse(r.next(), "one decision");
            }
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}
