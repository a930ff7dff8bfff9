package dev.nin.store.queue;

import dev.nin.store.TrialState;
import dev.nin.store.TrialEntity;
import dev.nin.store.StoreException;
import dev.nin.store.Store;
import dev.nin.config.Metric;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ask-and-tell on PostgreSQL for sweeps whose trials are decided when a worker asks (strategy tpe):
 * under the sweep's {@link SweepLock} — the lock enqueueing, retries and pruning decisions take —
 * an ask reads every earlier suggestion's trial as it stands, lets the sampler decide, and in the
 * same transaction creates the trial, records the suggestion with the history it used, and claims
 * the trial for the asking worker. Workers on several machines thus share one history, and no
 * suggestion is ever computed from a history that misses an earlier one.
 */
@ApplicationScoped
public class SweepAsks {

    /**
     * One earlier trial of the sweep as the sampler sees it.
     *
     * @param params the searched axes' values as stored with its suggestion (JSON object)
     * @param state the trial's state now: completed, pruned, diverged, stalled, failed, running, pending or interrupted
     * @param rung for a pruned trial, the epoch it was pruned at; otherwise 0
     * @param value for a pruned trial its metric at that rung; otherwise its last recorded epoch's
     *        metric; NaN when there is none
     */
    public record Observed(long trialId, String params, String state, int rung, double value) {}

    /**
     * What a sampler decided for one ask.
     *
     * @param phase start-up or model-guided
     * @param params the searched axes' values (JSON object)
     * @param history the trials it was computed from, with their roles (JSON array; empty for a start-up draw)
     * @param score log l(x) - log g(x) of the suggestion, NaN for a start-up draw
     */
    public record Asked(SweepStore.QueuedTrial trial, String phase, String params, String history, double score) {}

    /** Decides the next configuration of a sweep; called under the sweep's lock, so keep it to a model fit. */
    @FunctionalInterface
    public interface Sampler {
        /**
         * @param askIndex how many suggestions the sweep has had (0 for its first)
         * @param history every earlier suggestion's trial, in ask order
         */
        Asked next(int askIndex, List<Observed> history);
    }

    private final Store store;

    @Inject
    public SweepAsks(Store store) {
        this.store = store;
    }

    /** The sweeps, of {@code sweepId} or of all when null, that are asked and have budget left, oldest first. */
    public List<Long> askable(Long sweepId) {
        try (Connection c = store.connection()) {
            return askable(c, sweepId);
        } catch (SQLException e) {
            throw new StoreException("could not list sweeps to ask at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #askable(Long)}, on the caller's connection. */
    public static List<Long> askable(Connection c, Long sweepId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                SELECT id FROM sweeps sw
                WHERE strategy = ? AND (id = ? OR ?::bigint IS NULL)
                  AND (SELECT count(*) FROM trial_suggestions g WHERE g.sweep_id = sw.id) < budget
                ORDER BY id""")) {
            s.setString(1, SweepStore.Definition.ASKED_STRATEGY);
            s.setObject(2, sweepId);
            s.setObject(3, sweepId);
            List<Long> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getLong(1));
                }
            }
            return out;
        }
    }

    /**
     * Asks {@code sampler} for the sweep's next trial and claims it for {@code worker}; empty when
     * the sweep's budget is spent (another worker may have taken the last ask meanwhile).
     */
    public Optional<SweepStore.Claim> ask(long sweepId, String worker, Sampler sampler) {
        store.open();
        try (Connection c = store.connection()) {
            return ask(c, sweepId, worker, Store.LEASE_SECONDS, sampler);
        } catch (SQLException e) {
            throw new StoreException("could not ask sweep " + sweepId + " for a trial at " + store.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * As {@link #ask(long, String, Sampler)}, on the caller's connection (tests' and benchmarks'
     * workers each have their own) with a lease of {@code leaseSeconds}: the one definition of an
     * ask. One transaction of its own; the connection's auto-commit setting is as it was afterwards.
     */
    public static Optional<SweepStore.Claim> ask(Connection c, long sweepId, String worker, int leaseSeconds, Sampler sampler)
            throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            SweepLock.lock(c, sweepId);
            String name;
            String strategy;
            Integer budget;
            String metric;
            int planned;
            try (PreparedStatement s = c.prepareStatement("SELECT name, strategy, budget, metric, planned_trials FROM sweeps WHERE id = ?")) {
                s.setLong(1, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        c.commit();
                        return Optional.empty();
                    }
                    name = r.getString(1);
                    strategy = r.getString(2);
                    budget = (Integer) r.getObject(3);
                    metric = r.getString(4);
                    planned = r.getInt(5);
                }
            }
            List<Observed> history = SweepStore.Definition.ASKED_STRATEGY.equals(strategy) && budget != null
                    ? history(c, sweepId, metric) : null;
            if (history == null || history.size() >= budget) {
                c.commit();
                return Optional.empty();
            }
            Asked asked = sampler.next(history.size(), List.copyOf(history));
            int planIndex;
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(max(plan_index), -1) + 1 FROM trials WHERE sweep_id = ?")) {
                s.setLong(1, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    planIndex = r.getInt(1);
                }
            }
            long trialId = insert(c, sweepId, planIndex, asked);
            record(c, trialId, sweepId, history.size(), asked, worker);
            int attempt = claim(c, trialId, worker, leaseSeconds);
            c.commit();
            return Optional.of(new SweepStore.Claim(trialId, attempt, planIndex, sweepId, name, 0, planned));
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Inserts the asked trial, pending, described as every stored trial is. */
    private static long insert(Connection c, long sweepId, int planIndex, Asked asked) throws SQLException {
        TrialEntity t = new TrialEntity();
        SweepStore.QueuedTrial q = asked.trial();
        TrialRecorder.describe(t, q.network(), q.config(), q.data(), q.configuration());
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate, epochs, batch_size,
                                    resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size, test_limit,
                                    config, config_hash, nin_version, java_version, sampler_phase)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
                RETURNING id""")) {
            int i = 1;
            s.setLong(i++, sweepId);
            s.setInt(i++, planIndex);
            s.setString(i++, t.configuration);
            s.setString(i++, TrialState.PENDING.value);
            s.setString(i++, t.variant);
            s.setLong(i++, t.seed);
            s.setDouble(i++, t.learningRate);
            s.setInt(i++, t.epochs);
            s.setInt(i++, t.batchSize);
            s.setInt(i++, t.resize);
            s.setDouble(i++, t.momentum);
            s.setBoolean(i++, t.nesterov);
            s.setDouble(i++, t.weightDecay);
            s.setDouble(i++, t.dropout);
            s.setInt(i++, t.trainLimit);
            s.setInt(i++, t.validationSize);
            s.setInt(i++, t.testLimit);
            s.setString(i++, t.config);
            s.setString(i++, t.configHash);
            s.setString(i++, t.ninVersion);
            s.setString(i++, t.javaVersion);
            s.setString(i, asked.phase());
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Every suggestion's trial of the sweep, in ask order, as it stands now. */
    private static List<Observed> history(Connection c, long sweepId, String metricColumn) throws SQLException {
        if (Metric.find(metricColumn).isEmpty()) {
            throw new StoreException("sweep " + sweepId + ": metric: expected " + Metric.names() + ", found " + metricColumn);
        }
        List<Observed> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT t.id, g.params::text, t.state, p.epoch, p.metric_value, m.value
                FROM trial_suggestions g
                JOIN trials t ON t.id = g.trial_id
                LEFT JOIN LATERAL (SELECT d.epoch, d.metric_value FROM pruning_decisions d
                                   WHERE d.trial_id = t.id AND d.decision = 'pruned' ORDER BY d.epoch DESC LIMIT 1) p ON true
                LEFT JOIN LATERAL (SELECT e.""" + metricColumn + """
                                   AS value FROM epoch_metrics e WHERE e.trial_id = t.id ORDER BY e.epoch DESC LIMIT 1) m ON true
                WHERE g.sweep_id = ?
                ORDER BY g.ask_index""")) {
            s.setLong(1, sweepId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    String state = r.getString(3);
                    boolean pruned = state.equals(TrialState.PRUNED.value) && r.getObject(4) != null;
                    Object value = pruned ? r.getObject(5) : r.getObject(6);
                    out.add(new Observed(r.getLong(1), r.getString(2), state, pruned ? r.getInt(4) : 0,
                            value == null ? Double.NaN : ((Number) value).doubleValue()));
                }
            }
        }
        return out;
    }

    private static void record(Connection c, long trialId, long sweepId, int askIndex, Asked asked, String worker)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO trial_suggestions"
                + " (trial_id, sweep_id, ask_index, phase, params, history, score, worker, suggested_at)"
                // clock_timestamp(): the moment of deciding, inside the lock, so suggestions sort in the order made.
                + " VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, clock_timestamp())")) {
            s.setLong(1, trialId);
            s.setLong(2, sweepId);
            s.setInt(3, askIndex);
            s.setString(4, asked.phase());
            s.setString(5, asked.params());
            s.setString(6, asked.history());
            s.setObject(7, Double.isNaN(asked.score()) ? null : asked.score());
            s.setString(8, worker);
            s.executeUpdate();
        }
    }

    /** Claims the just-created trial as a claim of a stored one would; returns its attempt number. */
    private static int claim(Connection c, long trialId, String worker, int leaseSeconds) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE trials t SET " + SweepStore.CLAIM_SET
                + " WHERE t.id = ? RETURNING t.attempt")) {
            s.setString(1, TrialState.RUNNING.value);
            s.setString(2, worker);
            s.setInt(3, leaseSeconds);
            s.setLong(4, trialId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
