package dev.nin.store.query;

import dev.nin.store.Columns;
import dev.nin.store.Store;
import dev.nin.store.StoreException;
import dev.nin.config.Metric;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** What a sweep's report is made of: the sweep, its trials, its configurations over seeds, its networks' costs. */
@ApplicationScoped
public class ReportQuery {

    /** The sweep as stored; {@code metric} is the column it ranks by. */
    public record Sweep(String name, String description, String file, String metric) {}

    /**
     * A trial with its last epoch's figures, null before the first epoch; {@code stuck} when it
     * ended (completed or stalled) without leaving the ln 10 loss plateau (view {@code seed_results}).
     */
    public record Trial(long trial, String state, String configuration, String variant, double learningRate, long seed,
            Integer epochsCompleted, Double trainLoss, Double validationAccuracy, Double testAccuracy, boolean stuck) {}

    /**
     * Mean and sample standard deviation over seeds of one configuration's completed trials, with
     * its network's costs; a std is NaN for a single seed, a validation mean NaN without a validation split.
     */
    public record Configuration(String configuration, String variant, double lr, int trials, double testMean, double testStd,
            double validationMean, double validationStd, long parameters, long forwardFlops) {}

    /** What one (variant, resize, batch) network costs; memory in bytes, null where not estimated or measured. */
    public record Network(String variant, int resize, int batchSize, long parameters, long forwardFlops, long trainingStepFlops,
            Long trainingMemoryEstimated, Long trainingMemoryMeasured, Long predictionMemoryEstimated,
            Long predictionMemoryMeasured, Long trainingMemoryMeasuredBatch1, Long predictionMemoryMeasuredBatch1) {}

    private final Store store;

    @Inject
    public ReportQuery(Store store) {
        this.store = store;
    }

    public Optional<Sweep> sweep(String name) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT description, file, metric FROM sweeps WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new Sweep(name, r.getString(1), r.getString(2), r.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(name, e);
        }
    }

    /** The sweep's trials, best by its metric first, then by id. */
    /** The sweep's best-so-far curve (the {@code best_so_far} view), in the order trials ended. */
    public List<LeaderboardQuery.BestSoFar> bestSoFar(String sweep) {
        try (Connection c = store.connection()) {
            return LeaderboardQuery.bestSoFar(c, sweep);
        } catch (java.sql.SQLException e) {
            throw new StoreException("could not read the best-so-far curve of sweep " + sweep + ": " + e.getMessage(), e);
        }
    }

    public List<Trial> trials(Sweep sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT r.trial_id, r.state, r.configuration, r.variant, r.learning_rate, r.seed, r.epochs_completed,"
                        + " r.train_loss, r.validation_accuracy, r.test_accuracy, coalesce(p.stuck, false) AS stuck"
                        + " FROM trial_results r LEFT JOIN seed_results p ON p.trial_id = r.trial_id WHERE r.sweep = ? ORDER BY "
                        + Metric.of(sweep.metric()).column + " " + Metric.of(sweep.metric()).bestFirst() + " NULLS LAST, trial_id")) {
            s.setString(1, sweep.name());
            List<Trial> trials = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    trials.add(new Trial(r.getLong("trial_id"), r.getString("state"), r.getString("configuration"), r.getString("variant"),
                            r.getDouble("learning_rate"), r.getLong("seed"),
                            Columns.intOrNull(r, "epochs_completed"), Columns.doubleOrNull(r, "train_loss"),
                            Columns.doubleOrNull(r, "validation_accuracy"), Columns.doubleOrNull(r, "test_accuracy"),
                            r.getBoolean("stuck")));
                }
            }
            return trials;
        } catch (SQLException e) {
            throw failed(sweep.name(), e);
        }
    }

    /** The sweep's configurations (completed trials), best mean test accuracy first. */
    public List<Configuration> configurations(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT a.configuration, a.variant, a.learning_rate, a.trials, a.test_accuracy_mean, a.test_accuracy_std,
                               a.validation_accuracy_mean, a.validation_accuracy_std,
                               (SELECT max(p.parameters) FROM resource_profiles p JOIN trials t ON t.id = p.trial_id
                                JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = a.sweep AND t.configuration = a.configuration),
                               (SELECT max(p.forward_flops) FROM resource_profiles p JOIN trials t ON t.id = p.trial_id
                                JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = a.sweep AND t.configuration = a.configuration)
                        FROM ablation_comparison a WHERE a.sweep = ? ORDER BY a.test_accuracy_mean DESC, a.configuration""")) {
            s.setString(1, sweep);
            List<Configuration> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Configuration(r.getString(1), r.getString(2), r.getDouble(3), r.getInt(4), r.getDouble(5),
                            nanIfNull(r, 6), nanIfNull(r, 7), nanIfNull(r, 8), r.getLong(9), r.getLong(10)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** The sweep's distinct networks (variant, resize, batch) with what they cost, in that order. */
    public List<Network> networks(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT variant, resize, batch_size, max(parameters), max(forward_flops), max(training_step_flops),
                               max(training_memory_bytes_estimated) AS te, max(training_memory_bytes_measured) AS tm,
                               max(prediction_memory_bytes_estimated) AS pe, max(prediction_memory_bytes_measured) AS pm,
                               max(training_memory_bytes_measured_batch1) AS tm1, max(prediction_memory_bytes_measured_batch1) AS pm1
                        FROM resource_usage WHERE sweep = ? GROUP BY variant, resize, batch_size ORDER BY variant, resize, batch_size""")) {
            s.setString(1, sweep);
            List<Network> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Network(r.getString(1), r.getInt(2), r.getInt(3), r.getLong(4), r.getLong(5), r.getLong(6),
                            Columns.longOrNull(r, "te"), Columns.longOrNull(r, "tm"), Columns.longOrNull(r, "pe"),
                            Columns.longOrNull(r, "pm"), Columns.longOrNull(r, "tm1"), Columns.longOrNull(r, "pm1")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    private static double nanIfNull(ResultSet r, int column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? Double.NaN : v;
    }

    private StoreException failed(String sweep, SQLException e) {
        return new StoreException("could not read sweep " + sweep + " for its report: " + e.getMessage(), e);
    }
}
