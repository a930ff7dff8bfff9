package dev.nin.cli;

import dev.nin.config.Metric;
import dev.nin.config.UsageException;
import static dev.nin.cli.ResultTable.Column.number;
import static dev.nin.cli.ResultTable.Column.text;

import dev.nin.report.SeedComparison;
import dev.nin.store.queue.SweepStore;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.query.SeedStatisticsQuery;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Prints a sweep's leaderboard, its best configuration, and mean ± std over seeds, all from the store. */
final class Leaderboard {

    private static final List<ResultTable.Column> RANKED = List.of(number("rank"), number("trial"), text("state"),
            text("configuration"), number("seed"), number("epochs"), number("loss"), number("val_acc"), number("test_acc"),
            text("plateau"));

    private static final List<ResultTable.Column> SEEDS = List.of(text("configuration"), number("trials"), text("stuck"),
            text("val_acc mean ± std"), text("test_acc mean ± std"));

    private static final List<ResultTable.Column> DIFFERENCES = List.of(text("configuration"), text("seeds"),
            number("difference"), text("95% interval"), text("method"), text("verdict"));

    private static final List<ResultTable.Column> STOPPED = List.of(number("trial"), text("state"), text("configuration"),
            number("seed"), number("epochs"), text("stopped_at"));

    private Leaderboard() {}

    /** {@code --top} of {@code sweep} and {@code leaderboard}, checked before the store is opened. */
    static int checkTop(int top) {
        if (top < 1) {
            throw new UsageException("--top: expected 1 or more leaderboard rows, found " + top);
        }
        return top;
    }

    static void print(PrintWriter out, LeaderboardQuery query, SeedStatisticsQuery seeds, SweepStore.StoredSweep sweep, int top,
            ComparisonOptions comparison) {
        print(out, null, query, seeds, sweep, top, comparison);
    }

    /** As above, {@code header} (when not null) first, once the baseline is known to be good. */
    static void print(PrintWriter out, String header, LeaderboardQuery query, SeedStatisticsQuery seeds, SweepStore.StoredSweep sweep,
            int top, ComparisonOptions comparison) {
        // The baseline is checked before anything is printed: a bad --baseline prints nothing but its error.
        List<SeedStatisticsQuery.Summary> summaries = seeds.summaries(sweep.name());
        String baseline = SeedComparison.baseline(comparison.baseline, seeds.firstConfiguration(sweep.name()), sweep.name(), summaries);
        if (header != null) {
            out.println(header);
        }
        boolean higher = Metric.of(sweep.metric()).higherIsBetter;
        out.printf(Locale.ROOT, "%nleaderboard of sweep %s by %s (%s is better):%n", sweep.name(), sweep.metric(),
                higher ? "higher" : "lower");
        ResultTable.of(RANKED, query.ranked(sweep.name(), sweep.metric(), top), r -> Arrays.asList(r.rank(), r.trial(), r.state(),
                r.configuration(), r.seed(), r.epochs(), r.trainLoss(), r.validationAccuracy(), r.testAccuracy(),
                r.stuck() ? "stuck" : ""))
                .print(out, ResultTable.Format.TABLE);

        List<LeaderboardQuery.Configuration> configurations = query.configurations(sweep.name(), sweep.metric(),
                comparison.includeStuck);
        if (configurations.isEmpty()) {
            out.println(comparison.includeStuck ? "no completed trial yet" : "no completed trial off the ln 10 plateau yet");
        } else {
            LeaderboardQuery.Configuration best = configurations.get(0);
            out.printf(Locale.ROOT, "%nbest configuration (best mean %s over %d completed trial%s%s): %s%n", sweep.metric(),
                    best.seeds(), best.seeds() == 1 ? "" : "s", comparison.includeStuck ? ", stuck ones counted in" : ", stuck ones left out",
                    best.configuration());
        }
        printSeedStatistics(out, seeds, sweep.name(), summaries, baseline, comparison.includeStuck);

        ResultTable stopped = ResultTable.of(STOPPED, query.stoppedEarly(sweep.name()), t -> Arrays.asList(t.trial(), t.state(),
                t.configuration(), t.seed(), t.epochs(), t.stoppedAt()));
        if (stopped.size() > 0) {
            out.printf(Locale.ROOT, "%nstopped early (not ranked):%n");
            stopped.print(out, ResultTable.Format.TABLE);
        }

        printBestSoFar(out, query.bestSoFar(sweep.name()), sweep.metric());

        query.budget(sweep.name()).filter(b -> b.pruned() + b.stalled() > 0).ifPresent(b -> {
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

    /**
     * Mean ± std over seeds per configuration, stuck trials counted beside, then each configuration's
     * difference in test accuracy to the baseline with its 95% interval. Printed as aligned tables,
     * so long configuration names keep the columns straight.
     */
    static void printSeedStatistics(PrintWriter out, SeedStatisticsQuery seeds, String sweep,
            List<SeedStatisticsQuery.Summary> summaries, String baseline, boolean all) {
        if (summaries.isEmpty()) {
            return;
        }
        out.printf(Locale.ROOT, "%nmean ± std over seeds (completed trials; %s):%n", all
                ? "trials stuck on the ln 10 loss plateau counted in, --include-stuck"
                : "trials stuck on the ln 10 loss plateau left out, and counted");
        ResultTable.of(SEEDS, summaries, s -> Arrays.asList(s.configuration(), s.trials(), SeedComparison.stuckNote(s),
                all ? plusMinus(s.validationMeanAll(), s.validationStdAll()) : plusMinus(s.validationMean(), s.validationStd()),
                all ? plusMinus(s.testMeanAll(), s.testStdAll()) : plusMinus(s.testMean(), s.testStd())))
                .print(out, ResultTable.Format.TABLE);

        List<SeedComparison.Interval> intervals = SeedComparison.intervals(
                seeds.differences(sweep, SeedStatisticsQuery.Metric.TEST_ACCURACY, baseline, all),
                seeds.values(sweep, SeedStatisticsQuery.Metric.TEST_ACCURACY, all), SeedComparison.BOOTSTRAP_SEED_DEFAULT,
                SeedComparison.BOOTSTRAP_RESAMPLES_DEFAULT);
        if (intervals.isEmpty()) {
            out.printf(Locale.ROOT, "no interval against the baseline %s: it and another configuration need 2 or more"
                    + " measured seeds each%n", baseline);
            return;
        }
        out.printf(Locale.ROOT, "%ntest accuracy against the baseline %s (mean − baseline's mean, 95%% interval):%n", baseline);
        ResultTable.of(DIFFERENCES, intervals, d -> Arrays.asList(d.configuration(), d.n() + " vs " + d.baselineN(),
                String.format(Locale.ROOT, "%+.4f", d.difference()),
                String.format(Locale.ROOT, "[%+.4f, %+.4f]", d.low(), d.high()), d.method().label,
                d.verdict()))
                .print(out, ResultTable.Format.TABLE);
    }

    /** "0.8300 ± 0.0361", the mean alone for a single seed, "-" when nothing was measured. */
    private static String plusMinus(Double mean, Double std) {
        if (mean == null) {
            return "-";
        }
        return std == null ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
