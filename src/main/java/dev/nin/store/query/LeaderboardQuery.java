package dev.nin.store.query;

import dev.nin.store.TrialState;
import dev.nin.store.Columns;
import dev.nin.store.Store;
import dev.nin.store.StoreException;
import dev.nin.config.Metric;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A sweep's ranking by its metric, its configurations' mean ± std over seeds, and what stopping early saved. */
@ApplicationScoped
public class LeaderboardQuery {

    /**
     * A ranked trial; figures rounded to 4 decimals by PostgreSQL (numeric), null before the first
     * epoch; {@code stuck} when it completed without leaving the ln 10 loss plateau.
     */
    public record Ranked(long rank, long trial, String state, String configuration, long seed, Integer epochs,
            BigDecimal trainLoss, BigDecimal validationAccuracy, BigDecimal testAccuracy, boolean stuck) {}

    /** One configuration's completed trials; a std is null for a single seed, a mean null when nothing was measured. */
    public record Configuration(String configuration, long seeds, Double metricMean, Double metricStd, Double testMean,
            Double testStd) {}

    /** A trial that stopped early (stalled or pruned): not ranked. */
    public record StoppedEarly(long trial, String state, String configuration, long seed, Integer epochs, String stoppedAt) {}

    /** A sweep's epochs: planned by its trials and run by them, and how many trials stopped early. */
    public record Budget(long pruned, long stalled, long epochsPlanned, long epochsRun) {}

    /**
     * One row of the {@code best_so_far} view: after {@code trials} trials of the sweep had ended
     * (in the order they ended), the best final metric so far.
     *
     * @param value this trial's final metric; null unless it completed
     * @param best the best so far; null while no trial has completed
     * @param samplerPhase start-up or model-guided for a TPE trial, else null
     */
    public record BestSoFar(int trials, long trial, String state, String samplerPhase, Double value, Double best) {}

    private final Store store;

    /** The sweep's best-so-far curve, one row per ended trial, in the order they ended. */
    public List<BestSoFar> bestSoFar(String sweep) {
        try (Connection c = store.connection()) {
            return bestSoFar(c, sweep);
        } catch (SQLException e) {
            throw new StoreException("could not read the best-so-far curve of sweep " + sweep + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #bestSoFar(String)} on the caller's connection: the one query, for the leaderboard and the report. */
    static List<BestSoFar> bestSoFar(Connection c, String sweep) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT trials, trial_id, state, sampler_phase, value, best FROM best_so_far WHERE sweep = ? ORDER BY trials")) {
            s.setString(1, sweep);
            List<BestSoFar> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new BestSoFar(r.getInt(1), r.getLong(2), r.getString(3), r.getString(4), (Double) r.getObject(5),
                            (Double) r.getObject(6)));
                }
            }
            return out;
        }
    }

    @Inject
    public LeaderboardQuery(Store store) {
        this.store = store;
    }

    /** The {@code top} best trials of the sweep that are ranked ({@link TrialState#RANKED}), best first. */
    public List<Ranked> ranked(String sweep, String metric, int top) {
        String order = Metric.of(metric).column + " " + Metric.of(metric).bestFirst() + " NULLS LAST";
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT row_number() OVER (ORDER BY " + order + ") AS rank,"
                        + " trial_id, state, configuration, seed, epochs_completed,"
                        + " round(train_loss::numeric, 4) AS loss, round(validation_accuracy::numeric, 4) AS val_acc,"
                        + " round(test_accuracy::numeric, 4) AS test_acc,"
                        + " EXISTS (SELECT FROM seed_results p WHERE p.trial_id = trial_results.trial_id AND p.stuck) AS stuck"
                        + " FROM trial_results WHERE sweep = ? AND state = ANY (?) ORDER BY " + order + " LIMIT ?")) {
            s.setString(1, sweep);
            s.setArray(2, c.createArrayOf("text", TrialState.values(TrialState.RANKED)));
            s.setInt(3, top);
            List<Ranked> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new Ranked(r.getLong("rank"), r.getLong("trial_id"), r.getString("state"), r.getString("configuration"),
                            r.getLong("seed"), Columns.intOrNull(r, "epochs_completed"), r.getBigDecimal("loss"),
                            r.getBigDecimal("val_acc"), r.getBigDecimal("test_acc"), r.getBoolean("stuck")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /**
     * Completed trials per configuration, best mean of the metric first. Trials stuck on the ln 10
     * plateau (view {@code seed_results}) are left out of the means unless {@code includeStuck}, as in
     * {@code seed_statistics}; a configuration whose every completed trial is stuck is then left out.
     */
    public List<Configuration> configurations(String sweep, String metric, boolean includeStuck) {
        String column = Metric.of(metric).column;
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT configuration, count(*) AS seeds,"
                        + " avg(" + column + ") AS mean, stddev_samp(" + column + ") AS std, avg(test_accuracy) AS test_mean,"
                        + " stddev_samp(test_accuracy) AS test_std FROM seed_results WHERE sweep = ? AND state = ?"
                        + " AND (? OR NOT stuck)"
                        + " GROUP BY configuration ORDER BY avg(" + column + ") " + Metric.of(metric).bestFirst())) {
            s.setString(1, sweep);
            s.setString(2, TrialState.COMPLETED.value);
            s.setBoolean(3, includeStuck);
            List<Configuration> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new Configuration(r.getString("configuration"), r.getLong("seeds"), Columns.doubleOrNull(r, "mean"),
                            Columns.doubleOrNull(r, "std"), Columns.doubleOrNull(r, "test_mean"),
                            Columns.doubleOrNull(r, "test_std")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** The sweep's stalled and pruned trials, in id order. */
    public List<StoppedEarly> stoppedEarly(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT trial_id, state, configuration, seed, epochs_completed, stopped_at"
                        + " FROM trial_results WHERE sweep = ? AND state = ANY (?) ORDER BY trial_id")) {
            s.setString(1, sweep);
            s.setArray(2, c.createArrayOf("text", TrialState.values(TrialState.STOPPED_EARLY)));
            List<StoppedEarly> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new StoppedEarly(r.getLong("trial_id"), r.getString("state"), r.getString("configuration"),
                            r.getLong("seed"), Columns.intOrNull(r, "epochs_completed"), r.getString("stopped_at")));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** The sweep's epoch budget, or empty for a sweep without trials. */
    public Optional<Budget> budget(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT pruned, stalled, epochs_planned, epochs_run FROM sweep_budget WHERE sweep = ?")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new Budget(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    private StoreException failed(String sweep, SQLException e) {
        return new StoreException("could not read sweep " + sweep + ": " + e.getMessage(), e);
    }
}
