package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Metric;
import dev.nin.store.queue.PruningStore;
import dev.nin.store.queue.SweepLock;
import dev.nin.store.TrialState;
import dev.nin.sweep.Pruning;
import dev.nin.sweep.StoreMapping;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one per-sweep advisory lock, in nin's embedded PostgreSQL: enqueueing (the packaged app's
 * {@code nin sweep}), queueing a retry (by the sweep's id) and a pruning decision wait for each
 * other, seen in {@code pg_locks} as one 64-bit key; and {@link TrialState} is what the live
 * CHECK constraint on {@code trials.state} allows.
 */
class SweepLockIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("sweep-lock-it-home");
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

    /** Sessions waiting for (granted false) or holding (true) the advisory lock with {@code key}, other than {@code exceptPid}. */
    private static int sessions(long key, boolean granted, int exceptPid) throws SQLException {
        try (Connection c = db(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1 AND granted = ? AND pid <> ?")) {
            s.setLong(1, key >>> 32);
            s.setLong(2, key & 0xffffffffL);
            s.setBoolean(3, granted);
            s.setInt(4, exceptPid);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "waited " + seconds + " s for " + what);
            Thread.sleep(100);
        }
    }

    private static BooleanSupplier waiting(long key, int holderPid) {
        return () -> {
            try {
                return sessions(key, false, holderPid) == 1;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private static long insertSweep(Statement s, String name) throws SQLException {
        try (ResultSet r = s.executeQuery("INSERT INTO sweeps (name, content_hash) VALUES ('" + name + "', 'x') RETURNING id")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void aPruningDecisionWaitsForTheSweepsLockTakenByName() throws Exception {
        long sweepId;
        long trialId;
        try (Connection c = db(); Statement s = c.createStatement()) {
            sweepId = insertSweep(s, "lock-prune");
            try (ResultSet r = s.executeQuery("INSERT INTO trials (sweep_id, configuration, state, variant, seed, learning_rate,"
                    + " epochs, batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size,"
                    + " test_limit, config, config_hash, nin_version, java_version) VALUES (" + sweepId + ", 'c', 'running',"
                    + " 'no-1x1', 1, 0.1, 9, 64, 67, 0, false, 0, 0.5, 0, 100, 0, '{}', 'h', 'test', '17') RETURNING id")) {
                r.next();
                trialId = r.getLong(1);
            }
        }
        long key = SweepLock.key("lock-prune");
        try (Connection holder = db()) {
            holder.setAutoCommit(false);
            SweepLock.lock(holder, "lock-prune");
            int holderPid = pid(holder);
            assertEquals(1, sessions(key, true, -1), "the holder's lock is the 64-bit key split into classid and objid");
            PruningStore pruning = new PruningStore(SweepLockIT::db);
            CompletableFuture<PruningStore.Decision> decision = CompletableFuture.supplyAsync(
                    () -> pruning.decide(sweepId, trialId, 1, 0.5, StoreMapping.rule(new Pruning.Asha(1, 3)), Metric.VALIDATION_ACCURACY));
            // PostgreSQL itself shows the decision's session waiting on the holder's lock: no sleep needed.
            await("the pruning decision to wait for the lock", waiting(key, holderPid), 30);
            assertFalse(decision.isDone(), "no decision while the sweep is locked");
            holder.commit();
            assertTrue(decision.get(30, TimeUnit.SECONDS).promoted(), "the first trial at a rung goes on");
        }
    }

    @Test
    void theLockByIdIsTheLockByName() throws Exception {
        long sweepId;
        try (Connection c = db(); Statement s = c.createStatement()) {
            sweepId = insertSweep(s, "lock-by-id");
        }
        long key = SweepLock.key("lock-by-id");
        try (Connection holder = db(); Connection other = db()) {
            holder.setAutoCommit(false);
            other.setAutoCommit(false);
            // The retry path locks by the sweep's id; the enqueue path by its name.
            SweepLock.lock(holder, sweepId);
            CompletableFuture<Void> byName = CompletableFuture.runAsync(() -> {
                try {
                    SweepLock.lock(other, "lock-by-id");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await("the lock by name to wait for the lock by id", waiting(key, pid(holder)), 30);
            assertFalse(byName.isDone());
            holder.rollback();
            byName.get(30, TimeUnit.SECONDS);
            other.rollback();
        }
    }

    @Test
    void enqueueingBySweepCommandWaitsForTheSameLock() throws Exception {
        Path file = home.resolve("lock-enqueue.yaml");
        Files.writeString(file, """
                name: lock-enqueue
                metric: train_loss
                base: {variant: no-1x1, resize: 67, epochs: 1, batch: 32}
                data: {train_limit: 64, test_limit: 64}
                """);
        long key = SweepLock.key("lock-enqueue");
        Process sweep = null;
        try (Connection holder = db()) {
            holder.setAutoCommit(false);
            SweepLock.lock(holder, "lock-enqueue");
            sweep = nin.start(home.resolve("lock-enqueue.out"), "sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
            Process running = sweep;
            await("nin sweep to wait for the sweep's lock", () -> {
                assertTrue(running.isAlive(), "nin sweep ended before it reached the lock");
                return waiting(key, -1).getAsBoolean();
            }, 120);
            assertEquals(0, count("SELECT count(*) FROM sweeps WHERE name = 'lock-enqueue'"), "nothing enqueued while locked");
            holder.rollback();
            await("the enqueue to go on once the lock is released",
                    () -> count("SELECT count(*) FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = 'lock-enqueue'") == 1,
                    60);
            // ... and a worker claims it (the claim binds the claimable states).
            await("the trial to be claimed", () -> count("SELECT count(*) FROM trials t JOIN sweeps s ON s.id = t.sweep_id"
                    + " WHERE s.name = 'lock-enqueue' AND t.state = 'running' AND t.attempt = 1") == 1, 60);
        } finally {
            if (sweep != null) {
                sweep.destroy();
                if (!sweep.waitFor(60, TimeUnit.SECONDS)) {
                    sweep.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static int count(String sql) {
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A sweep of 20,000 trials whose first 19,990 have ended: the claim's plan reads the partial
     * index trials_claimable (only claimable trials), not trials_sweep_plan from the start, nor the
     * whole table; the expired-lease claim reads neither; and the index holds exactly
     * {@link TrialState#CLAIMABLE}. Made and analysed in a transaction rolled
     * back at the end, so the store is as it was.
     */
    @Test
    void aClaimReadsOnlyTheTrialsItMayTake() throws Exception {
        try (Connection c = db(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                long sweep;
                try (ResultSet r = s.executeQuery("INSERT INTO sweeps (name, content_hash, planned_trials)"
                        + " VALUES ('claim-plan', 'claim-plan', 20000) RETURNING id")) {
                    r.next();
                    sweep = r.getLong(1);
                }
                s.executeUpdate("""
                        INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate, epochs,
                                            batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit,
                                            validation_size, test_limit, config, config_hash, nin_version, java_version)
                        SELECT %d, i, 'trial ' || i, CASE WHEN i < 19990 THEN 'completed' ELSE 'pending' END, 'standard', i,
                               0.01, 1, 128, 224, 0.9, false, 0, 0, 0, 0, 0, '{}'::jsonb, 'claim-plan-' || i, 'test', '17'
                        FROM generate_series(0, 19999) AS i""".formatted(sweep));
                s.execute("ANALYZE trials");
                // This sweep's claims (a worker with --sweep), and any sweep's (without).
                for (Long only : new Long[] {sweep, null}) {
                    String queued = plan(c, dev.nin.store.queue.SweepStore.CLAIM_QUEUED, only);
                    assertTrue(queued.contains("Scan using trials_claimable on trials"), "sweep " + only + ":\n" + queued);
                    String expired = plan(c, dev.nin.store.queue.SweepStore.CLAIM_EXPIRED, only);
                    for (String plan : new String[] {queued, expired}) {
                        assertFalse(plan.contains("trials_sweep_plan") || plan.contains("Seq Scan on trials"),
                                "sweep " + only + ":\n" + plan);
                    }
                }

                String definition;
                try (ResultSet r = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE indexname = 'trials_claimable'")) {
                    assertTrue(r.next(), "V9 made the index");
                    definition = r.getString(1);
                }
                Set<String> covered = new TreeSet<>();
                Matcher m = Pattern.compile("'([a-z_]+)'").matcher(definition);
                while (m.find()) {
                    covered.add(m.group(1));
                }
                assertEquals(new TreeSet<>(TrialState.list(TrialState.CLAIMABLE)), covered, definition);
            } finally {
                c.rollback();
            }
        }
    }

    /** EXPLAIN of claim {@code sql} for {@code sweep} (null: any sweep), as {@code SweepStore} binds it. */
    private static String plan(Connection c, String sql, Long sweep) throws SQLException {
        try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + sql)) {
            explain.setObject(1, sweep, java.sql.Types.BIGINT);
            explain.setObject(2, sweep, java.sql.Types.BIGINT);
            explain.setString(3, TrialState.RUNNING.value);
            explain.setString(4, "plan-test:1");
            explain.setInt(5, 120);
            StringBuilder lines = new StringBuilder();
            try (ResultSet r = explain.executeQuery()) {
                while (r.next()) {
                    lines.append(r.getString(1)).append('\n');
                }
            }
            return lines.toString();
        }
    }

    @Test
    void trialStatesAreWhatTheLiveCheckConstraintAllows() throws Exception {
        String definition;
        try (Connection c = db(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'trials'::regclass"
                        + " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%state%'")) {
            assertTrue(r.next(), "trials has a CHECK on state");
            definition = r.getString(1);
            assertFalse(r.next(), "one CHECK on state");
        }
        Set<String> allowed = new TreeSet<>();
        Matcher m = Pattern.compile("'([a-z_]+)'").matcher(definition);
        while (m.find()) {
            allowed.add(m.group(1));
        }
        assertEquals(new TreeSet<>(Arrays.stream(TrialState.values()).map(s -> s.value).toList()), allowed, definition);
    }
}
