package dev.nin.report;

import dev.nin.config.Metric;
import dev.nin.config.UsageException;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.query.ReportQuery;
import dev.nin.store.query.ReportQuery.Configuration;
import dev.nin.store.query.SeedStatisticsQuery;
import dev.nin.store.query.SeedStatisticsQuery.Summary;
import dev.nin.store.query.TrialQuery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * A sweep's report: a Markdown file and PNG charts, every number read from the store. Charts:
 * training curves per trial (like the book's plot), test accuracy per configuration with error
 * bars over seeds, accuracy against parameters and against FLOPs, and learning rate against
 * accuracy when the sweep varies the learning rate.
 */
public final class SweepReport {

    /** What was written. */
    public record Written(Path markdown, List<Path> charts) {}

    private SweepReport() {}

    /**
     * Writes {@code sweep}'s report into {@code folder}; the numbers come from {@code reports},
     * {@code trials} and {@code seeds}. Configurations are compared with {@code baseline} (null: the
     * sweep's first trial's configuration); trials stuck on the loss plateau are left out of means
     * and differences unless {@code includeStuck}, and always counted.
     */
    public static Written write(ReportQuery reports, TrialQuery trials, SeedStatisticsQuery seeds, String sweep, Path folder,
            String baseline, boolean includeStuck) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ReportQuery.Sweep stored = reports.sweep(sweep)
                .orElseThrow(() -> new UsageException("sweep: no sweep named '" + sweep + "'"));
        // Checked before anything is written: a bad --baseline leaves no folder behind.
        List<Summary> summaries = seeds.summaries(sweep);
        String base = SeedComparison.baseline(baseline, seeds.firstConfiguration(sweep), sweep, summaries);
        Files.createDirectories(folder);
        List<Path> charts = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Sweep ").append(sweep).append("\n\n").append(stored.description() == null ? "" : stored.description())
                .append("\n\nFile `").append(stored.file()).append("`, ranked by `").append(stored.metric())
                .append("`. Every number below is read from the experiment store.\n\n");

        md.append("## Trials\n\n| trial | state | configuration | seed | epochs | train loss | validation acc | test acc | plateau |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<ReportQuery.Trial> ended = new ArrayList<>();
        for (ReportQuery.Trial t : reports.trials(stored)) {
            ended.add(t);
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %s | %s | %s | %s | %s |%n", t.trial(), t.state(),
                    t.configuration(), t.seed(), value(t.epochsCompleted() == null ? null : t.epochsCompleted().doubleValue(), "%.0f"),
                    value(t.trainLoss(), "%.4f"), value(t.validationAccuracy(), "%.4f"), value(t.testAccuracy(), "%.4f"),
                    t.stuck() ? "stuck" : ""));
        }

        List<Configuration> groups = reports.configurations(sweep);
        List<Group> byConfiguration = groups(summaries, groups, includeStuck);
        md.append("\n## Accuracy per configuration\n\nMean ± standard deviation over seeds of the completed trials; ")
                .append(includeStuck ? "trials stuck on the ln 10 loss plateau are counted in (`--include-stuck`)."
                        : "trials stuck on the ln 10 loss plateau (final training loss within the stall band of ln 10, or"
                                + " stopped as stalled) are left out of the means and counted: how often a configuration"
                                + " gets stuck is itself a result.")
                .append("\n\n| configuration | trials | stuck | validation acc | test acc | parameters | forward GFLOP/image |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (Group g : byConfiguration) {
            Summary s = g.summary();
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s |%n", s.configuration(), s.trials(),
                    SeedComparison.stuckNote(s), meanStd(g.validationMean(), g.validationStd()), meanStd(g.testMean(), g.testStd()),
                    g.cost() == null ? "-" : String.format(Locale.ROOT, "%,d", g.cost().parameters()),
                    g.cost() == null ? "-" : String.format(Locale.ROOT, "%.4f", g.cost().forwardFlops() / 1e9)));
        }
        List<SeedComparison.Interval> testDifferences = new ArrayList<>();
        if (base != null) {
            StringBuilder rows = new StringBuilder();
            for (SeedStatisticsQuery.Metric metric : SeedStatisticsQuery.Metric.values()) {
                for (SeedComparison.Interval d : SeedComparison.intervals(seeds.differences(sweep, metric, base, includeStuck),
                        seeds.values(sweep, metric, includeStuck), SeedComparison.BOOTSTRAP_SEED_DEFAULT,
                        SeedComparison.BOOTSTRAP_RESAMPLES_DEFAULT)) {
                    if (metric == SeedStatisticsQuery.Metric.TEST_ACCURACY) {
                        testDifferences.add(d);
                    }
                    rows.append(String.format(Locale.ROOT, "| %s | %s | %d vs %d | %+.4f | [%+.4f, %+.4f] | %s | %s |%n",
                            d.configuration(), metric.column.replace('_', ' '), d.n(), d.baselineN(), d.difference(), d.low(),
                            d.high(), d.method().label, d.verdict()));
                }
            }
            md.append("\n## Differences to the baseline `").append(base).append("`\n\n");
            if (rows.length() == 0) {
                md.append("No interval: the baseline and another configuration need 2 or more measured seeds each.\n");
            } else {
                md.append("Configuration's mean minus the baseline's, with its 95% interval: Welch's t interval, or a percentile"
                        + " bootstrap (" + SeedComparison.BOOTSTRAP_RESAMPLES_DEFAULT + " resamples, seed "
                        + SeedComparison.BOOTSTRAP_SEED_DEFAULT + ") when both sides have " + SeedComparison.BOOTSTRAP_MIN_SEEDS
                        + " or more seeds. \"Within noise\": the interval holds 0, and the data cannot tell the two apart."
                        + " (SQL: `SELECT * FROM seed_differences WHERE sweep = '" + sweep + "'`.)\n\n")
                        .append("| configuration | metric | seeds | difference | 95% interval | method | verdict |\n")
                        .append("| --- | --- | --- | --- | --- | --- | --- |\n").append(rows);
            }
        }

        md.append("\n## Resources per network (exercise 3: parameters, FLOPs, memory estimated and measured)\n\n")
                .append("| variant | resize | batch | parameters | forward GFLOP/image | training GFLOP/image"
                        + " | training memory, estimated | measured | prediction memory, estimated | measured"
                        + " | training, batch 1 (measured) | prediction, batch 1 (measured) |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<ReportQuery.Network> networks = reports.networks(sweep);
        for (ReportQuery.Network n : networks) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %,d | %.4f | %.4f | %s | %s | %s | %s | %s | %s |%n",
                    n.variant(), n.resize(), n.batchSize(), n.parameters(), n.forwardFlops() / 1e9, n.trainingStepFlops() / 1e9,
                    mib(n.trainingMemoryEstimated()), mib(n.trainingMemoryMeasured()), mib(n.predictionMemoryEstimated()),
                    mib(n.predictionMemoryMeasured()), mib(n.trainingMemoryMeasuredBatch1()), mib(n.predictionMemoryMeasuredBatch1())));
        }
        md.append("\nMemory in MiB. Measured: peak resident memory of a fresh process running the network, above"
                + " its baseline with TensorFlow loaded (`./nin summary --measure` repeats it).\n");

        List<LeaderboardQuery.BestSoFar> curve = reports.bestSoFar(sweep);
        if (curve.stream().anyMatch(b -> b.best() != null)) {
            md.append("\n## Best so far (the sampler's curve: best `").append(stored.metric())
                    .append("` after each trial ended, in the order they ended)\n\n| trials ended | trial | state | sampler | value | best so far |\n")
                    .append("| --- | --- | --- | --- | --- | --- |\n");
            for (LeaderboardQuery.BestSoFar b : curve) {
                md.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s |%n", b.trials(), b.trial(), b.state(),
                        b.samplerPhase() == null ? "-" : b.samplerPhase(), value(b.value(), "%.4f"), value(b.best(), "%.4f")));
            }
        }

        md.append("\n## Charts\n\n");
        if (curve.stream().anyMatch(b -> b.best() != null)) {
            charts.add(save(folder, "best-so-far.png", bestSoFarChart(sweep, stored.metric(), curve)));
        }
        List<Group> measured = byConfiguration.stream().filter(g -> g.testMean() != null && g.cost() != null).toList();
        if (!measured.isEmpty()) {
            charts.add(save(folder, "accuracy-by-configuration.png", accuracyBars(sweep, measured, ended)));
            if (!testDifferences.isEmpty()) {
                charts.add(save(folder, "difference-from-baseline.png", differenceChart(sweep, base, testDifferences)));
            }
            charts.add(save(folder, "accuracy-vs-parameters.png", scatter(sweep + ": test accuracy against parameters", "parameters",
                    measured, g -> g.cost().parameters(), ChartStyle::si)));
            charts.add(save(folder, "accuracy-vs-flops.png", scatter(sweep + ": test accuracy against forward FLOPs per image",
                    "forward FLOPs per image", measured, g -> g.cost().forwardFlops(), ChartStyle::si)));
            if (measured.stream().mapToDouble(g -> g.cost().lr()).distinct().count() > 1) {
                charts.add(save(folder, "lr-vs-accuracy.png", scatter(sweep + ": learning rate against test accuracy",
                        "learning rate (log scale)", measured, g -> Math.log10(g.cost().lr()), ChartStyle.LOG10_TICKS)));
            }
        }
        // One size and batch: a multiple of another network's cost means something only between equals.
        if (networks.size() > 1 && networks.stream().map(n -> n.resize() + "x" + n.batchSize()).distinct().count() == 1) {
            charts.add(save(folder, "cost-by-network.png", CostChart.of(sweep, networks)));
        }
        // Completed trials only: a pending or running one has fewer epochs, and would cut every mean short.
        Map<String, List<List<CurvesChart.Point>>> curves = new LinkedHashMap<>();
        for (ReportQuery.Trial t : ended) {
            if (!t.stuck() && t.testAccuracy() != null) {
                curves.computeIfAbsent(t.configuration(), k -> new ArrayList<>())
                        .add(CurvesChart.points(trials.recordedEpochs(t.trial())));
            }
        }
        if (curves.size() > 1) {
            charts.add(save(folder, "loss-by-epoch.png", byEpoch(sweep + ": training loss per epoch (mean over seeds)",
                    "training loss", curves, CurvesChart.Point::trainLoss)));
            charts.add(save(folder, "test-accuracy-by-epoch.png", byEpoch(sweep + ": test accuracy per epoch (mean over seeds)",
                    "test accuracy", curves, CurvesChart.Point::testAccuracy)));
        }
        Map<String, String> shortNames = new LinkedHashMap<>();
        List<String> configurations = ended.stream().map(ReportQuery.Trial::configuration).distinct().toList();
        List<String> labels = shortLabels(configurations);
        for (int i = 0; i < configurations.size(); i++) {
            shortNames.put(configurations.get(i), labels.get(i));
        }
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (ReportQuery.Trial t : ended) {
            List<CurvesChart.Point> points = CurvesChart.points(trials.recordedEpochs(t.trial()));
            if (!points.isEmpty()) {
                Path file = folder.resolve(curvesFile(shortNames.get(t.configuration()), t, taken));
                Files.write(file, CurvesChart.png(curvesTitle(sweep, t), points));
                charts.add(file);
            }
        }
        for (Path chart : charts) {
            md.append("![").append(chart.getFileName()).append("](").append(chart.getFileName()).append(")\n\n");
        }
        Path markdown = folder.resolve("report.md");
        Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
        return new Written(markdown, charts);
    }

    /**
     * A configuration's summary with its costs and the figures the report shows: over the not-stuck
     * trials, or over all of them with {@code --include-stuck}; {@code cost} is null when no resource
     * profile was recorded.
     */
    record Group(Summary summary, Configuration cost, Double validationMean, Double validationStd, Double testMean,
            Double testStd) {}

    static List<Group> groups(List<Summary> summaries, List<Configuration> costs, boolean includeStuck) {
        Map<String, Configuration> byName = new LinkedHashMap<>();
        // No resource profile recorded reads as 0 parameters: no network has none, so it is "no cost".
        costs.stream().filter(c -> c.parameters() > 0).forEach(c -> byName.put(c.configuration(), c));
        List<Group> out = new ArrayList<>();
        for (Summary s : summaries) {
            out.add(includeStuck
                    ? new Group(s, byName.get(s.configuration()), s.validationMeanAll(), s.validationStdAll(), s.testMeanAll(),
                            s.testStdAll())
                    : new Group(s, byName.get(s.configuration()), s.validationMean(), s.validationStd(), s.testMean(), s.testStd()));
        }
        return out;
    }

    /**
     * A curves chart's file name by what the run was, not by its store-dependent trial id: the words
     * that set its configuration apart in this sweep and its seed, e.g. {@code
     * curves-gradual-head-bn-seed-2.png}; the trial id is added only when two trials share both.
     */
    static String curvesFile(String label, ReportQuery.Trial t, java.util.Set<String> taken) {
        String slug = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        String name = "curves-" + slug + "-seed-" + t.seed();
        if (!taken.add(name)) {
            name += "-trial-" + t.trial();
            taken.add(name);
        }
        return name + ".png";
    }

    /**
     * A curves chart's title: the sweep, the whole configuration (weight decay, schedule, smoothing and
     * all: a chart shown alone must say what ran), the seed, then the trial number and state.
     */
    static String curvesTitle(String sweep, ReportQuery.Trial t) {
        return String.format(Locale.ROOT, "%s: %s, seed %d (trial %d, %s)", sweep, t.configuration(), t.seed(), t.trial(),
                t.state());
    }

    /**
     * Test accuracy per configuration: each configuration at x = 1, 2, ..., named in the legend (the
     * words all names share left out); every seed drawn as a dot (stuck seeds apart: they are left out
     * of the means), and the mean of the seeds that count with its 95% t interval, mean ± t(0.975,
     * n−1)·s/√n, where there are 2 or more (one seed has no spread). The y axis is fitted to what is
     * drawn: the differences that matter are a point or two of accuracy. No x tick labels: XChart's
     * tick search does not end when long labels cannot fit (seen with four).
     *
     * @param trials every trial of the sweep; those with a test accuracy are drawn as dots
     */
    static XYChart accuracyBars(String sweep, List<Group> groups, List<ReportQuery.Trial> trials) {
        XYChart chart = new XYChartBuilder().width(900).height(480).title(sweep + ": test accuracy per configuration")
                .xAxisTitle("configuration (see the legend)").yAxisTitle("test accuracy: mean, 95% t interval; dots: seeds")
                .build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setXAxisMin(0.5);
        chart.getStyler().setXAxisMax(groups.size() + 0.5);
        List<String> names = shortLabels(groups.stream().map(g -> g.summary().configuration()).toList());
        List<Double> drawn = new ArrayList<>();
        List<double[]> seeds = new ArrayList<>();
        List<double[]> stuck = new ArrayList<>();
        for (int k = 0; k < groups.size(); k++) {
            Group g = groups.get(k);
            String configuration = g.summary().configuration();
            List<ReportQuery.Trial> mine = trials.stream()
                    .filter(t -> t.configuration().equals(configuration) && t.testAccuracy() != null).toList();
            for (int i = 0; i < mine.size(); i++) {
                // Side by side around the configuration's x, so equal values do not hide each other.
                double x = k + 1 + 0.24 * ((i + 1.0) / (mine.size() + 1) - 0.5);
                (mine.get(i).stuck() ? stuck : seeds).add(new double[] {x, mine.get(i).testAccuracy()});
                drawn.add(mine.get(i).testAccuracy());
            }
            if (g.testMean() == null) {
                continue;
            }
            long n = g.summary().n();
            String name = names.get(k) + (g.testStd() == null || n < 2 ? " (1 seed)" : " (" + n + " seeds)");
            drawn.add(g.testMean());
            if (g.testStd() != null && n >= 2) {
                double half = halfInterval(g.testStd(), n);
                chart.addSeries(name, new double[] {k + 1}, new double[] {g.testMean()}, new double[] {half});
                drawn.add(g.testMean() - half);
                drawn.add(g.testMean() + half);
            } else {
                chart.addSeries(name, new double[] {k + 1}, new double[] {g.testMean()});
            }
        }
        dots(chart, "seeds", seeds);
        dots(chart, "stuck seeds (not in the means)", stuck);
        fitY(chart, drawn);
        return chart;
    }

    /** Half the width of the 95% t interval of a mean of {@code n} values with sample standard deviation {@code std}. */
    static double halfInterval(double std, long n) {
        return org.apache.commons.statistics.distribution.TDistribution.of(n - 1).inverseCumulativeProbability(0.975)
                * std / Math.sqrt(n);
    }

    /**
     * Each configuration's test accuracy minus the baseline's, with the 95% interval the report's
     * table gives (Welch's, or the bootstrap's), as a vertical segment, and a dashed line at 0:
     * an interval that crosses it is "within noise".
     */
    static XYChart differenceChart(String sweep, String baseline, List<SeedComparison.Interval> intervals) {
        XYChart chart = new XYChartBuilder().width(900).height(480)
                .title(sweep + ": test accuracy minus the baseline's").xAxisTitle("configuration (see the legend)")
                .yAxisTitle("difference, with its 95% interval").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisTicksVisible(false);
        chart.getStyler().setXAxisMin(0.5);
        chart.getStyler().setXAxisMax(intervals.size() + 0.5);
        List<String> names = shortLabels(java.util.stream.Stream.concat(intervals.stream().map(SeedComparison.Interval::configuration),
                java.util.stream.Stream.of(baseline)).toList());
        List<Double> drawn = new ArrayList<>(List.of(0.0));
        for (int k = 0; k < intervals.size(); k++) {
            SeedComparison.Interval d = intervals.get(k);
            XYSeries segment = chart.addSeries(names.get(k) + " (" + d.method().label + ")", new double[] {k + 1, k + 1, k + 1},
                    new double[] {d.low(), d.difference(), d.high()});
            segment.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            drawn.add(d.low());
            drawn.add(d.high());
        }
        XYSeries zero = ChartStyle.chanceLine(chart, 0.5, intervals.size() + 0.5);
        chart.removeSeries(zero.getName());
        XYSeries line = chart.addSeries("0: baseline " + names.get(names.size() - 1), new double[] {0.5, intervals.size() + 0.5},
                new double[] {0, 0});
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        line.setLineStyle(zero.getLineStyle());
        line.setLineColor(java.awt.Color.GRAY);
        fitY(chart, drawn);
        return chart;
    }

    /**
     * One line per configuration: the mean over its seeds of {@code value} at each epoch (only epochs
     * every seed reached), on a y axis fitted to the lines. Seeds that stayed on the plateau are left
     * out, as in the means.
     */
    static XYChart byEpoch(String title, String yTitle, Map<String, List<List<CurvesChart.Point>>> byConfiguration,
            java.util.function.ToDoubleFunction<CurvesChart.Point> value) {
        XYChart chart = new XYChartBuilder().width(900).height(480).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-9
                ? Long.toString(Math.round(x)) : "");
        List<String> names = shortLabels(new ArrayList<>(byConfiguration.keySet()));
        List<Double> drawn = new ArrayList<>();
        int k = 0;
        for (Map.Entry<String, List<List<CurvesChart.Point>>> e : byConfiguration.entrySet()) {
            List<List<CurvesChart.Point>> seeds = e.getValue();
            int epochs = seeds.stream().mapToInt(List::size).min().orElse(0);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < epochs; i++) {
                final int at = i;
                double mean = seeds.stream().mapToDouble(points -> value.applyAsDouble(points.get(at))).average().orElse(Double.NaN);
                if (Double.isFinite(mean)) {
                    x.add((double) seeds.get(0).get(i).epoch());
                    y.add(mean);
                    drawn.add(mean);
                }
            }
            String name = names.get(k++) + " (" + seeds.size() + (seeds.size() == 1 ? " seed)" : " seeds)");
            if (!x.isEmpty()) {
                chart.addSeries(name, x, y);
            }
        }
        if (!drawn.isEmpty()) {
            fitY(chart, drawn);
        }
        return chart;
    }

    private static void dots(XYChart chart, String name, List<double[]> points) {
        if (!points.isEmpty()) {
            XYSeries s = chart.addSeries(name, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
            s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
            s.setMarkerColor(name.startsWith("stuck") ? java.awt.Color.RED : java.awt.Color.DARK_GRAY);
        }
    }

    /** The y axis from just below the lowest to just above the highest value drawn (a tenth of the span each side). */
    static void fitY(XYChart chart, List<Double> values) {
        double low = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double high = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double pad = Math.max(0.1 * (high - low), 0.002);
        chart.getStyler().setYAxisMin(low - pad);
        chart.getStyler().setYAxisMax(high + pad);
    }

    /** Configurations without the words they all share, e.g. "no-1x1 lr=0.05" (the report's table has them whole). */
    static List<String> shortLabels(List<String> configurations) {
        java.util.Set<String> common = null;
        for (String configuration : configurations) {
            java.util.Set<String> words = new java.util.HashSet<>(List.of(configuration.split(" ")));
            if (common == null) {
                common = words;
            } else {
                common.retainAll(words);
            }
        }
        List<String> out = new ArrayList<>();
        for (String configuration : configurations) {
            StringBuilder label = new StringBuilder();
            for (String word : configuration.split(" ")) {
                if (configurations.size() == 1 || !common.contains(word)) {
                    label.append(label.length() == 0 ? "" : " ").append(word);
                }
            }
            out.add(label.length() == 0 ? configuration : label.toString());
        }
        return out;
    }

    /**
     * Mean test accuracy of each configuration against {@code x}, one series per variant, ticks
     * labelled by {@code ticks} (SI units, or the values behind a log10 axis), the legend right of the
     * plot and a dashed line at chance accuracy.
     */
    static XYChart scatter(String title, String xTitle, List<Group> groups, java.util.function.ToDoubleFunction<Group> x,
            java.util.function.Function<Double, String> ticks) {
        XYChart chart = new XYChartBuilder().width(760).height(480).title(title).xAxisTitle(xTitle).yAxisTitle("test accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.setCustomXAxisTickLabelsFormatter(ticks);
        Map<String, List<double[]>> byVariant = new LinkedHashMap<>();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (Group g : groups) {
            double v = x.applyAsDouble(g);
            low = Math.min(low, v);
            high = Math.max(high, v);
            byVariant.computeIfAbsent(g.summary().variant(), k -> new ArrayList<>()).add(new double[] {v, g.testMean()});
        }
        for (Map.Entry<String, List<double[]>> e : byVariant.entrySet()) {
            chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
        }
        ChartStyle.chanceLine(chart, low, high);
        return chart;
    }

    /** Best so far against trials ended, with each completed trial's own value, marked by sampler phase. */
    static XYChart bestSoFarChart(String sweep, String metric, List<LeaderboardQuery.BestSoFar> curve) {
        XYChart chart = new XYChartBuilder().width(700).height(480).title(sweep + ": best " + metric + " so far")
                .xAxisTitle("trials ended").yAxisTitle(metric).build();
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (LeaderboardQuery.BestSoFar b : curve) {
            if (b.best() != null) {
                x.add((double) b.trials());
                y.add(b.best());
            }
            if (b.value() != null) {
                points.computeIfAbsent(b.samplerPhase() == null ? "trial" : b.samplerPhase() + " trial", k -> new ArrayList<>())
                        .add(new double[] {b.trials(), b.value()});
            }
        }
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        XYSeries line = chart.addSeries("best so far", x, y);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (Metric.of(metric).higherIsBetter && !curve.isEmpty()) {
            ChartStyle.chanceLine(chart, 1, curve.size());
        }
        return chart;
    }

    private static Path save(Path folder, String name, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }

    /** Bytes as MiB with one decimal, or "-" when not recorded. */
    static String mib(Long bytes) {
        return bytes == null ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String value(Double v, String format) {
        return v == null ? "-" : String.format(Locale.ROOT, format, v);
    }

    /** "0.8300 ± 0.0361", the mean alone for a single seed, "-" when nothing was measured. */
    static String meanStd(Double mean, Double std) {
        if (mean == null) {
            return "-";
        }
        return std == null ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
