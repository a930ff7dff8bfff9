package dev.nin.store.query;

import dev.nin.store.Columns;
import dev.nin.store.Store;
import dev.nin.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A sweep's configurations over seeds, from the views {@code seed_results}, {@code seed_statistics}
 * and the function {@code seed_comparison} (migration V6, which defines what "stuck" means and
 * computes Welch's interval): the one place nin's comparisons are read from.
 */
@ApplicationScoped
public class SeedStatisticsQuery {

    /** The accuracies a configuration is compared by: the columns {@code seed_comparison} unpivots. */
    public enum Metric {
        VALIDATION_ACCURACY("validation_accuracy"), TEST_ACCURACY("test_accuracy");

        public final String column;

        Metric(String column) {
            this.column = column;
        }
    }

    /**
     * One configuration's ended trials (completed or stalled).
     *
     * @param stuck how many of {@code trials} never left the ln 10 plateau
     * @param n the trials the means are over: the not-stuck ones
     * @param validationMean mean over the n trials; null when none measured it
     * @param validationStd sample standard deviation over the n trials; null below 2
     * @param validationMeanAll mean over every trial that measured it, stuck ones included (and so
     *     {@code validationStdAll}, {@code testMeanAll}, {@code testStdAll})
     */
    public record Summary(String configuration, String variant, long trials, long stuck, long n, Double validationMean,
            Double validationStd, Double testMean, Double testStd, Double validationMeanAll, Double validationStdAll,
            Double testMeanAll, Double testStdAll) {}

    /**
     * A configuration's difference of means to a baseline's, configuration minus baseline, with
     * Welch's 95% interval.
     *
     * @param welchDf Welch-Satterthwaite degrees of freedom; null when both groups have no spread
     */
    public record Difference(Metric metric, String configuration, String baseline, long n, long baselineN, double mean,
            double baselineMean, double difference, double standardError, Double welchDf, double low, double high,
            boolean withinNoise) {}

    private final Store store;

    @Inject
    public SeedStatisticsQuery(Store store) {
        this.store = store;
    }

    /** Every configuration of the sweep with an ended trial, in the order of its first trial. */
    public List<Summary> summaries(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT s.configuration, s.variant, s.trials, s.stuck, s.n, s.validation_accuracy_mean,
                               s.validation_accuracy_std, s.test_accuracy_mean, s.test_accuracy_std,
                               s.validation_accuracy_mean_all, s.validation_accuracy_std_all, s.test_accuracy_mean_all,
                               s.test_accuracy_std_all
                        FROM seed_statistics s
                        WHERE s.sweep = ?
                        ORDER BY (SELECT min(r.trial_id) FROM seed_results r
                                  WHERE r.sweep = s.sweep AND r.configuration = s.configuration)""")) {
            s.setString(1, sweep);
            List<Summary> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Summary(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5),
                            Columns.doubleOrNull(r, "validation_accuracy_mean"), Columns.doubleOrNull(r, "validation_accuracy_std"),
                            Columns.doubleOrNull(r, "test_accuracy_mean"), Columns.doubleOrNull(r, "test_accuracy_std"),
                            Columns.doubleOrNull(r, "validation_accuracy_mean_all"),
                            Columns.doubleOrNull(r, "validation_accuracy_std_all"), Columns.doubleOrNull(r, "test_accuracy_mean_all"),
                            Columns.doubleOrNull(r, "test_accuracy_std_all")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** The configuration of the sweep's first planned trial: the baseline when none is named. */
    public Optional<String> firstConfiguration(String sweep) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT t.configuration FROM trials t JOIN sweeps w ON w.id = t.sweep_id
                        WHERE w.name = ? ORDER BY t.plan_index NULLS LAST, t.id LIMIT 1""")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** Every configuration's difference to {@code baseline} in {@code metric}, in the order of their first trial. */
    public List<Difference> differences(String sweep, Metric metric, String baseline, boolean includeStuck) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT d.configuration, d.baseline, d.n, d.baseline_n, d.mean, d.baseline_mean, d.difference,
                               d.standard_error, d.welch_df, d.low, d.high, d.within_noise
                        FROM seed_comparison(?) d
                        WHERE d.sweep = ? AND d.metric = ? AND d.baseline = ?
                        ORDER BY (SELECT min(r.trial_id) FROM seed_results r
                                  WHERE r.sweep = d.sweep AND r.configuration = d.configuration)""")) {
            s.setBoolean(1, includeStuck);
            s.setString(2, sweep);
            s.setString(3, metric.column);
            s.setString(4, baseline);
            List<Difference> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Difference(metric, r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getDouble(5),
                            r.getDouble(6), r.getDouble(7), r.getDouble(8), Columns.doubleOrNull(r, "welch_df"), r.getDouble(10),
                            r.getDouble(11), r.getBoolean(12)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    /** Each configuration's measured values of {@code metric}, by seed order, for a bootstrap. */
    public Map<String, double[]> values(String sweep, Metric metric, boolean includeStuck) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT configuration, " + metric.column + " FROM seed_results"
                        + " WHERE sweep = ? AND (? OR NOT stuck) AND " + metric.column + " IS NOT NULL ORDER BY configuration, seed, trial_id")) {
            s.setString(1, sweep);
            s.setBoolean(2, includeStuck);
            Map<String, List<Double>> lists = new LinkedHashMap<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    lists.computeIfAbsent(r.getString(1), k -> new ArrayList<>()).add(r.getDouble(2));
                }
            }
            Map<String, double[]> out = new LinkedHashMap<>();
            lists.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
            return out;
        } catch (SQLException e) {
            throw failed(sweep, e);
        }
    }

    private static StoreException failed(String sweep, SQLException e) {
        return new StoreException("could not read the seed statistics of sweep " + sweep + ": " + e.getMessage(), e);
    }
}
