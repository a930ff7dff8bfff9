package dev.nin.cli;

import dev.nin.store.TrialState;
import dev.nin.store.Store;
import dev.nin.store.SweepEntity;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

/** Prints a sweep's leaderboard, its best configuration, and mean ± std over seeds, all from the store. */
final class Leaderboard {

    private Leaderboard() {}

    /** {@code --top} of {@code sweep} and {@code leaderboard}, checked before the store is opened. */
    static int checkTop(int top) {
        if (top < 1) {
            throw new IllegalArgumentException("--top: expected 1 or more leaderboard rows, found " + top);
        }
        return top;
    }

    static void print(PrintWriter out, Store store, SweepEntity sweep, int top) throws SQLException {
        boolean higher = !"train_loss".equals(sweep.metric);
        String order = sweep.metric + (higher ? " DESC" : " ASC") + " NULLS LAST";
        try (Connection c = store.connection()) {
            out.printf(Locale.ROOT, "%nleaderboard of sweep %s by %s (%s is better):%n", sweep.name, sweep.metric,
                    higher ? "higher" : "lower");
            try (PreparedStatement s = c.prepareStatement("SELECT row_number() OVER (ORDER BY " + order + ") AS rank,"
                    + " trial_id AS trial, state, configuration, seed, epochs_completed AS epochs,"
                    + " round(train_loss::numeric, 4) AS loss, round(validation_accuracy::numeric, 4) AS val_acc,"
                    + " round(test_accuracy::numeric, 4) AS test_acc FROM trial_results"
                    + " WHERE sweep = ? AND state = ANY (?) ORDER BY " + order + " LIMIT ?")) {
                s.setString(1, sweep.name);
                s.setArray(2, c.createArrayOf("text", TrialState.values(TrialState.RANKED)));
                s.setInt(3, top);
                try (ResultSet r = s.executeQuery()) {
                    ResultTable.of(r).print(out, ResultTable.Format.TABLE);
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT configuration, count(*) AS seeds,"
                    + " avg(" + sweep.metric + ") AS mean, stddev_samp(" + sweep.metric + ") AS std, avg(test_accuracy) AS test_mean,"
                    + " stddev_samp(test_accuracy) AS test_std FROM trial_results WHERE sweep = ? AND state = ?"
                    + " GROUP BY configuration ORDER BY avg(" + sweep.metric + ")" + (higher ? " DESC" : " ASC"))) {
                s.setString(1, sweep.name);
                s.setString(2, TrialState.COMPLETED.value);
                try (ResultSet r = s.executeQuery()) {
                    boolean first = true;
                    while (r.next()) {
                        if (first) {
                            out.printf(Locale.ROOT, "%nbest configuration: %s%n%nmean ± std over seeds (completed trials):%n",
                                    r.getString(1));
                            first = false;
                        }
                        out.printf(Locale.ROOT, "  %-60s %d seed%s  %s %s  test acc %s%n", r.getString(1), r.getInt(2),
                                r.getInt(2) == 1 ? " " : "s", sweep.metric, plusMinus(r, 3), plusMinus(r, 5));
                    }
                    if (first) {
                        out.println("no completed trial yet");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT trial_id AS trial, state, configuration, seed,"
                    + " epochs_completed AS epochs, stopped_at FROM trial_results WHERE sweep = ? AND state = ANY (?)"
                    + " ORDER BY trial_id")) {
                s.setString(1, sweep.name);
                s.setArray(2, c.createArrayOf("text", TrialState.values(TrialState.STOPPED_EARLY)));
                try (ResultSet r = s.executeQuery()) {
                    ResultTable rows = ResultTable.of(r);
                    if (rows.size() > 0) {
                        out.printf(Locale.ROOT, "%nstopped early (not ranked):%n");
                        rows.print(out, ResultTable.Format.TABLE);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT pruned, stalled, epochs_planned, epochs_run FROM sweep_budget WHERE sweep = ?")) {
                s.setString(1, sweep.name);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next() && r.getInt(1) + r.getInt(2) > 0) {
                        long planned = r.getLong(3);
                        long run = r.getLong(4);
                        out.printf(Locale.ROOT, "%nstopping early saved %d of %d planned epochs (%.0f%%): %d pruned, %d stalled%n",
                                planned - run, planned, 100.0 * (planned - run) / Math.max(1, planned), r.getInt(1), r.getInt(2));
                    }
                }
            }
        }
        out.flush();
    }

    private static String plusMinus(ResultSet r, int column) throws SQLException {
        double mean = r.getDouble(column);
        if (r.wasNull()) {
            return "-";
        }
        double std = r.getDouble(column + 1);
        return r.wasNull() ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
