package dev.nin.report;

import dev.nin.store.LeaderboardQuery;
import dev.nin.store.ReportQuery;
import dev.nin.store.ReportQuery.Configuration;
import dev.nin.store.TrialQuery;
// The one known cycle (report -> track -> report): CurvesChart moves into report/ after the MLflow rewrite.
import dev.nin.report.CurvesChart;

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
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
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

    /** Writes {@code sweep}'s report into {@code folder}; the numbers come from {@code reports} and {@code trials}. */
    public static Written write(ReportQuery reports, TrialQuery trials, String sweep, Path folder) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(folder);
        List<Path> charts = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        ReportQuery.Sweep stored = reports.sweep(sweep)
                .orElseThrow(() -> new IllegalArgumentException("sweep: no sweep named '" + sweep + "'"));
        md.append("# Sweep ").append(sweep).append("\n\n").append(stored.description() == null ? "" : stored.description())
                .append("\n\nFile `").append(stored.file()).append("`, ranked by `").append(stored.metric())
                .append("`. Every number below is read from the experiment store.\n\n");

        md.append("## Trials\n\n| trial | state | configuration | seed | epochs | train loss | validation acc | test acc |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<Long> ids = new ArrayList<>();
        for (ReportQuery.Trial t : reports.trials(stored)) {
            ids.add(t.trial());
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %s | %s | %s | %s |%n", t.trial(), t.state(),
                    t.configuration(), t.seed(), value(t.epochsCompleted() == null ? null : t.epochsCompleted().doubleValue(), "%.0f"),
                    value(t.trainLoss(), "%.4f"), value(t.validationAccuracy(), "%.4f"), value(t.testAccuracy(), "%.4f")));
        }

        List<Configuration> groups = reports.configurations(sweep);
        md.append("\n## Accuracy per configuration (mean ± standard deviation over seeds, completed trials)\n\n")
                .append("| configuration | trials | test acc | validation acc | parameters | forward GFLOP/image |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        for (Configuration g : groups) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %,d | %.4f |%n", g.configuration(), g.trials(),
                    meanStd(g.testMean(), g.testStd()), meanStd(g.validationMean(), g.validationStd()), g.parameters(),
                    g.forwardFlops() / 1e9));
        }

        md.append("\n## Resources per network (exercise 3: parameters, FLOPs, memory estimated and measured)\n\n")
                .append("| variant | resize | batch | parameters | forward GFLOP/image | training GFLOP/image"
                        + " | training memory, estimated | measured | prediction memory, estimated | measured"
                        + " | training, batch 1 (measured) | prediction, batch 1 (measured) |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (ReportQuery.Network n : reports.networks(sweep)) {
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
        if (!groups.isEmpty()) {
            charts.add(save(folder, "accuracy-by-configuration.png", accuracyBars(sweep, groups)));
            charts.add(save(folder, "accuracy-vs-parameters.png", scatter(sweep + ": test accuracy against parameters", "parameters",
                    groups, Configuration::parameters, false)));
            charts.add(save(folder, "accuracy-vs-flops.png", scatter(sweep + ": test accuracy against forward FLOPs per image",
                    "forward FLOPs per image", groups, Configuration::forwardFlops, false)));
            if (groups.stream().mapToDouble(Configuration::lr).distinct().count() > 1) {
                charts.add(save(folder, "lr-vs-accuracy.png", scatter(sweep + ": learning rate against test accuracy",
                        "learning rate (log scale)", groups, g -> g.lr(), true)));
            }
        }
        for (long trial : ids) {
            List<CurvesChart.Point> points = CurvesChart.points(trials.recordedEpochs(trial));
            if (!points.isEmpty()) {
                Path file = folder.resolve("curves-trial-" + trial + ".png");
                Files.write(file, CurvesChart.png("trial " + trial, points));
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

    private static CategoryChart accuracyBars(String sweep, List<Configuration> groups) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(sweep + ": test accuracy per configuration")
                .xAxisTitle("configuration").yAxisTitle("test accuracy (mean ± std over seeds)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(15);
        List<String> names = shortLabels(groups.stream().map(Configuration::configuration).toList());
        List<Double> means = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Configuration g : groups) {
            means.add(g.testMean());
            errors.add(Double.isNaN(g.testStd()) ? 0.0 : g.testStd());
        }
        chart.addSeries("test accuracy", names, means, errors);
        return chart;
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

    private static XYChart scatter(String title, String xTitle, List<Configuration> groups,
            java.util.function.ToDoubleFunction<Configuration> x, boolean logX) {
        XYChart chart = new XYChartBuilder().width(700).height(480).title(title).xAxisTitle(xTitle).yAxisTitle("test accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(logX);
        Map<String, List<double[]>> byVariant = new LinkedHashMap<>();
        for (Configuration g : groups) {
            byVariant.computeIfAbsent(g.variant(), k -> new ArrayList<>()).add(new double[] {x.applyAsDouble(g), g.testMean()});
        }
        for (Map.Entry<String, List<double[]>> e : byVariant.entrySet()) {
            chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
        }
        return chart;
    }

    /** Best so far against trials ended, with each completed trial's own value, marked by sampler phase. */
    private static XYChart bestSoFarChart(String sweep, String metric, List<LeaderboardQuery.BestSoFar> curve) {
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
        XYSeries line = chart.addSeries("best so far", x, y);
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            XYSeries s = chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
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

    /** "0.8300 ± 0.0361", or the mean alone for a single seed. */
    static String meanStd(double mean, double std) {
        if (Double.isNaN(mean)) {
            return "-";
        }
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
