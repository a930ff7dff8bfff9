package dev.nin.store.queue;

import dev.nin.store.StoreException;
import dev.nin.config.Metric;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes a sweep's pruning decisions in PostgreSQL: one per trial and judged epoch, under the
 * sweep's {@link SweepLock} (the one enqueueing and retries take too), so that workers on several machines decide one
 * after another and see each other's decisions. Asking again for a decided (trial, epoch) — a
 * trial resumed after a crash — returns the recorded decision instead of deciding twice.
 */
public final class PruningStore {

    /** Opens a JDBC connection to the store. */
    @FunctionalInterface
    public interface Connections {
        Connection open() throws SQLException;
    }

    /** Whose values a trial is judged against. */
    public enum Competitors {
        /** The trials judged at this epoch before (ASHA's rung): their values are in the decisions table. */
        JUDGED_AT_THIS_EPOCH,
        /** Every other trial of the sweep that has recorded this epoch (the median rule). */
        RECORDED_THIS_EPOCH
    }

    /** Whether a trial whose metric is {@code value} goes on, given the others' values: a pure function. */
    @FunctionalInterface
    public interface Promotion {
        boolean promote(double value, List<Double> others, boolean higherIsBetter);
    }

    /**
     * A pruning rule as the store applies it. The store defines it so that it knows nothing of the
     * sweep's rule types; the decision itself stays the sweep's pure function.
     *
     * @param method stored with each decision: asha or median
     */
    public record Rule(String method, Competitors competitors, Promotion promotion) {}

    /**
     * A decision.
     *
     * @param promoted whether the trial goes on
     * @param competitors how many other trials' values it was judged against
     */
    public record Decision(boolean promoted, int competitors, String method) {}

    private final Connections connections;

    public PruningStore(Connections connections) {
        this.connections = connections;
    }

    /**
     * Judges {@code trialId} after {@code epoch} by {@code rule}.
     *
     * @param metric the sweep's metric, a column of epoch_metrics
     */
    public Decision decide(long sweepId, long trialId, int epoch, double value, Rule rule, Metric metric) {
        String metricColumn = metric.column;
        boolean higherIsBetter = metric.higherIsBetter;
        try (Connection c = connections.open()) {
            c.setAutoCommit(false);
            try {
                SweepLock.lock(c, sweepId);
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT decision, competitors, method FROM pruning_decisions WHERE trial_id = ? AND epoch = ?")) {
                    s.setLong(1, trialId);
                    s.setInt(2, epoch);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            Decision known = new Decision(r.getString(1).equals("promoted"), r.getInt(2), r.getString(3));
                            c.commit();
                            return known;
                        }
                    }
                }
                List<Double> others = others(c, sweepId, trialId, epoch, rule, metricColumn);
                boolean promoted = rule.promotion().promote(value, others, higherIsBetter);
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO pruning_decisions"
                        + " (trial_id, epoch, sweep_id, method, metric_value, competitors, decision, decided_at)"
                        // clock_timestamp(), not now(): the moment of deciding, inside the lock, so decisions sort in the order taken.
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, clock_timestamp())")) {
                    insert.setLong(1, trialId);
                    insert.setInt(2, epoch);
                    insert.setLong(3, sweepId);
                    insert.setString(4, rule.method());
                    insert.setDouble(5, value);
                    insert.setInt(6, others.size());
                    insert.setString(7, promoted ? "promoted" : "pruned");
                    insert.executeUpdate();
                }
                c.commit();
                return new Decision(promoted, others.size(), rule.method());
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("pruning decision for trial " + trialId + " at epoch " + epoch + ": " + e.getMessage(), e);
        }
    }

    /**
     * ASHA compares with the trials judged at this rung before (the decisions table holds their
     * values); the median rule with every other trial of the sweep that has recorded this epoch.
     */
    private static List<Double> others(Connection c, long sweepId, long trialId, int epoch, Rule rule, String metricColumn)
            throws SQLException {
        String sql = rule.competitors() == Competitors.JUDGED_AT_THIS_EPOCH
                ? "SELECT metric_value FROM pruning_decisions WHERE sweep_id = ? AND epoch = ? AND trial_id <> ?"
                : "SELECT m." + metricColumn + " FROM epoch_metrics m JOIN trials t ON t.id = m.trial_id"
                        + " WHERE t.sweep_id = ? AND m.epoch = ? AND t.id <> ? AND m." + metricColumn + " IS NOT NULL";
        List<Double> values = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, sweepId);
            s.setInt(2, epoch);
            s.setLong(3, trialId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    values.add(r.getDouble(1));
                }
            }
        }
        return values;
    }
}
