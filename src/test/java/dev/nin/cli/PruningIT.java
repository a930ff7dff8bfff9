package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Metric;
import dev.nin.store.queue.PruningStore;
import dev.nin.sweep.Pruning;
import dev.nin.sweep.StoreMapping;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ASHA's decisions in a real PostgreSQL (nin's embedded one, migrated by the packaged app): two
 * workers judging trials at the same rungs at once never decide a trial twice, and their decisions
 * are those of one worker seeing the trials in the order the store serialised them.
 */
class PruningIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("pruning-it-home");
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

    @Test
    void twoWorkersNeverPromoteATrialTwice() throws Exception {
        int trials = 40;
        long sweepId;
        List<Long> ids = new ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("INSERT INTO sweeps (name, content_hash) VALUES ('asha-it', 'x') RETURNING id")) {
                r.next();
                sweepId = r.getLong(1);
            }
            for (int i = 0; i < trials; i++) {
                try (ResultSet r = s.executeQuery("INSERT INTO trials (sweep_id, configuration, state, variant, seed, learning_rate,"
                        + " epochs, batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size,"
                        + " test_limit, config, config_hash, nin_version, java_version) VALUES (" + sweepId + ", 'c" + i
                        + "', 'running', 'no-1x1', " + i + ", 0.1, 9, 64, 67, 0, false, 0, 0.5, 0, 100, 0, '{}', 'h" + i
                        + "', 'test', '17') RETURNING id")) {
                    r.next();
                    ids.add(r.getLong(1));
                }
            }
        }
        Pruning.Asha asha = new Pruning.Asha(1, 3);
        PruningStore store = new PruningStore(PruningIT::db);
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        double[] accuracy = new double[trials];
        for (int i = 0; i < trials; i++) {
            accuracy[i] = random.nextDouble();
        }
        // Two workers judge every trial at rung 1, both asking for every trial, as a crash-and-resume or
        // a race could make them: each (trial, rung) must be decided once, and asking again returns that decision.
        ExecutorService workers = Executors.newFixedThreadPool(2);
        List<Future<List<Boolean>>> answers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int offset = w;
            answers.add(workers.submit(() -> {
                List<Boolean> promoted = new ArrayList<>();
                for (int k = 0; k < trials; k++) {
                    int i = offset == 0 ? k : trials - 1 - k;
                    promoted.add(store.decide(sweepId, ids.get(i), 1, accuracy[i], StoreMapping.rule(asha), Metric.VALIDATION_ACCURACY).promoted());
                }
                return offset == 0 ? promoted : reversed(promoted);
            }));
        }
        List<Boolean> first = answers.get(0).get();
        List<Boolean> second = answers.get(1).get();
        workers.shutdown();
        assertEquals(first, second, "both workers got the same answer for every trial");

        try (Connection c = db(); Statement s = c.createStatement()) {
            // The primary key (trial_id, epoch) already forbids a second row per trial, so counting distinct
            // trials proves nothing; a second decision would have failed a worker above. What can fail: every
            // trial got its decision, and the decisions were taken one at a time (distinct instants, in the lock).
            try (ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT decided_at) FROM pruning_decisions WHERE sweep_id = "
                    + sweepId)) {
                r.next();
                assertEquals(trials, r.getInt(1), "every trial was decided");
                assertEquals(trials, r.getInt(2), "no two decisions at the same instant");
            }
            // Replaying the decisions in the order the store took them, one worker's logic agrees with each.
            List<Double> seen = new ArrayList<>();
            int promoted = 0;
            try (PreparedStatement p = c.prepareStatement("SELECT metric_value, competitors, decision FROM pruning_decisions"
                    + " WHERE sweep_id = ? ORDER BY decided_at, trial_id")) {
                p.setLong(1, sweepId);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        assertEquals(seen.size(), r.getInt(2), "each decision saw every earlier one");
                        boolean expected = asha.promote(r.getDouble(1), List.copyOf(seen), true);
                        assertEquals(expected ? "promoted" : "pruned", r.getString(3));
                        promoted += expected ? 1 : 0;
                        seen.add(r.getDouble(1));
                    }
                }
            }
            // Early arrivals are judged against few others and mostly go on; later ones face a full rung.
            assertTrue(promoted > 5 && promoted < 30, "some promoted, most of the late ones pruned: " + promoted);
        }
    }

    private static List<Boolean> reversed(List<Boolean> list) {
        List<Boolean> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
