package dev.nin.cli;

import static dev.nin.cli.ResultTable.Column.number;
import static dev.nin.cli.ResultTable.Column.text;

import dev.nin.store.LeaderboardQuery;
import dev.nin.store.SweepEntity;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Prints a sweep's leaderboard, its best configuration, and mean ± std over seeds, all from the store. */
final class Leaderboard {

    private static final List<ResultTable.Column> RANKED = List.of(number("rank"), number("trial"), text("state"),
            text("configuration"), number("seed"), number("epochs"), number("loss"), number("val_acc"), number("test_acc"));

    private static final List<ResultTable.Column> STOPPED = List.of(number("trial"), text("state"), text("configuration"),
            number("seed"), number("epochs"), text("stopped_at"));

    private Leaderboard() {}

    /** {@code --top} of {@code sweep} and {@code leaderboard}, checked before the store is opened. */
    static int checkTop(int top) {
        if (top < 1) {
            throw new IllegalArgumentException("--top: expected 1 or more leaderboard rows, found " + top);
        }
        return top;
    }

    static void print(PrintWriter out, LeaderboardQuery query, SweepEntity sweep, int top) {
        boolean higher = LeaderboardQuery.higherIsBetter(sweep.metric);
        out.printf(Locale.ROOT, "%nleaderboard of sweep %s by %s (%s is better):%n", sweep.name, sweep.metric,
                higher ? "higher" : "lower");
        ResultTable.of(RANKED, query.ranked(sweep.name, sweep.metric, top), r -> Arrays.asList(r.rank(), r.trial(), r.state(),
                r.configuration(), r.seed(), r.epochs(), r.trainLoss(), r.validationAccuracy(), r.testAccuracy()))
                .print(out, ResultTable.Format.TABLE);

        List<LeaderboardQuery.Configuration> configurations = query.configurations(sweep.name, sweep.metric);
        if (configurations.isEmpty()) {
            out.println("no completed trial yet");
        } else {
            out.printf(Locale.ROOT, "%nbest configuration: %s%n%nmean ± std over seeds (completed trials):%n",
                    configurations.get(0).configuration());
            for (LeaderboardQuery.Configuration c : configurations) {
                out.printf(Locale.ROOT, "  %-60s %d seed%s  %s %s  test acc %s%n", c.configuration(), c.seeds(),
                        c.seeds() == 1 ? " " : "s", sweep.metric, plusMinus(c.metricMean(), c.metricStd()),
                        plusMinus(c.testMean(), c.testStd()));
            }
        }

        ResultTable stopped = ResultTable.of(STOPPED, query.stoppedEarly(sweep.name), t -> Arrays.asList(t.trial(), t.state(),
                t.configuration(), t.seed(), t.epochs(), t.stoppedAt()));
        if (stopped.size() > 0) {
            out.printf(Locale.ROOT, "%nstopped early (not ranked):%n");
            stopped.print(out, ResultTable.Format.TABLE);
        }

        printBestSoFar(out, query.bestSoFar(sweep.name), sweep.metric);

        query.budget(sweep.name).filter(b -> b.pruned() + b.stalled() > 0).ifPresent(b -> {
            long saved = b.epochsPlanned() - b.epochsRun();
            out.printf(Locale.ROOT, "%nstopping early saved %d of %d planned epochs (%.0f%%): %d pruned, %d stalled%n",
                    saved, b.epochsPlanned(), 100.0 * saved / Math.max(1, b.epochsPlanned()), b.pruned(), b.stalled());
        });
        out.flush();
    }

    /**
     * The best-so-far curve against the number of trials ended: the rows where the best improved,
     * and the last one. The whole curve is the view {@code best_so_far}.
     */
    static void printBestSoFar(PrintWriter out, List<LeaderboardQuery.BestSoFar> curve, String metric) {
        if (curve.stream().noneMatch(b -> b.best() != null)) {
            return;
        }
        out.printf(Locale.ROOT, "%nbest %s so far, by trials ended (where it improved; all rows: SELECT * FROM best_so_far):%n", metric);
        Double shown = null;
        for (int i = 0; i < curve.size(); i++) {
            LeaderboardQuery.BestSoFar b = curve.get(i);
            boolean improved = b.best() != null && !b.best().equals(shown);
            if (improved) {
                out.printf(Locale.ROOT, "  after %3d trials: %.4f  (trial %d%s)%n", b.trials(), b.best(), b.trial(),
                        b.samplerPhase() == null ? "" : ", " + b.samplerPhase());
                shown = b.best();
            } else if (i == curve.size() - 1) {
                out.printf(Locale.ROOT, "  after %3d trials: %.4f%n", b.trials(), shown);
            }
        }
    }

    /** "0.8300 ± 0.0361", the mean alone for a single seed, "-" when nothing was measured. */
    private static String plusMinus(Double mean, Double std) {
        if (mean == null) {
            return "-";
        }
        return std == null ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
