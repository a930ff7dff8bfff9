package dev.nin.report;

import dev.nin.track.CurvesChart;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

    /** Mean and sample standard deviation over seeds of one configuration, with its costs. */
    record Group(String configuration, String variant, double lr, int trials, double testMean, double testStd,
            double validationMean, double validationStd, long parameters, long forwardFlops) {}

    private SweepReport() {}

    public static Written write(Connection c, String sweep, Path folder) throws SQLException, IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(folder);
        List<Path> charts = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        String metric;
        try (PreparedStatement s = c.prepareStatement("SELECT description, file, metric FROM sweeps WHERE name = ?")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalArgumentException("sweep: no sweep named '" + sweep + "'");
                }
                metric = r.getString(3);
                md.append("# Sweep ").append(sweep).append("\n\n").append(r.getString(1) == null ? "" : r.getString(1))
                        .append("\n\nFile `").append(r.getString(2)).append("`, ranked by `").append(metric)
                        .append("`. Every number below is read from the experiment store.\n\n");
            }
        }

        md.append("## Trials\n\n| trial | state | configuration | seed | epochs | train loss | validation acc | test acc |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        List<Long> trials = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT trial_id, state, configuration, seed, epochs_completed, train_loss,"
                + " validation_accuracy, test_accuracy FROM trial_results WHERE sweep = ? ORDER BY "
                + ("train_loss".equals(metric) ? "train_loss ASC" : "validation_accuracy DESC") + " NULLS LAST, trial_id")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    trials.add(r.getLong(1));
                    md.append(String.format(Locale.ROOT, "| %d | %s | %s | %d | %s | %s | %s | %s |%n", r.getLong(1), r.getString(2),
                            r.getString(3), r.getLong(4), value(r, 5, "%.0f"), value(r, 6, "%.4f"), value(r, 7, "%.4f"),
                            value(r, 8, "%.4f")));
                }
            }
        }

        List<Group> groups = groups(c, sweep);
        md.append("\n## Accuracy per configuration (mean ± standard deviation over seeds, completed trials)\n\n")
                .append("| configuration | trials | test acc | validation acc | parameters | forward GFLOP/image |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        for (Group g : groups) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %,d | %.4f |%n", g.configuration(), g.trials(),
                    meanStd(g.testMean(), g.testStd()), meanStd(g.validationMean(), g.validationStd()), g.parameters(),
                    g.forwardFlops() / 1e9));
        }

        md.append("\n## Resources per network (exercise 3: parameters, FLOPs, memory estimated and measured)\n\n")
                .append("| variant | resize | batch | parameters | forward GFLOP/image | training GFLOP/image"
                        + " | training memory, estimated | measured | prediction memory, estimated | measured"
                        + " | training, batch 1 (measured) | prediction, batch 1 (measured) |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        try (PreparedStatement s = c.prepareStatement("""
                SELECT variant, resize, batch_size, max(parameters), max(forward_flops), max(training_step_flops),
                       max(training_memory_bytes_estimated), max(training_memory_bytes_measured),
                       max(prediction_memory_bytes_estimated), max(prediction_memory_bytes_measured),
                       max(training_memory_bytes_measured_batch1), max(prediction_memory_bytes_measured_batch1)
                FROM resource_usage WHERE sweep = ? GROUP BY variant, resize, batch_size ORDER BY variant, resize, batch_size""")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | %d | %,d | %.4f | %.4f | %s | %s | %s | %s | %s | %s |%n",
                            r.getString(1), r.getInt(2), r.getInt(3), r.getLong(4), r.getLong(5) / 1e9, r.getLong(6) / 1e9,
                            mib(r, 7), mib(r, 8), mib(r, 9), mib(r, 10), mib(r, 11), mib(r, 12)));
                }
            }
        }
        md.append("\nMemory in MiB. Measured: peak resident memory of a fresh process running the network, above"
                + " its baseline with TensorFlow loaded (`./nin summary --measure` repeats it).\n");

        md.append("\n## Charts\n\n");
        if (!groups.isEmpty()) {
            charts.add(save(folder, "accuracy-by-configuration.png", accuracyBars(sweep, groups)));
            charts.add(save(folder, "accuracy-vs-parameters.png", scatter(sweep + ": test accuracy against parameters", "parameters",
                    groups, Group::parameters, false)));
            charts.add(save(folder, "accuracy-vs-flops.png", scatter(sweep + ": test accuracy against forward FLOPs per image",
                    "forward FLOPs per image", groups, Group::forwardFlops, false)));
            if (groups.stream().mapToDouble(Group::lr).distinct().count() > 1) {
                charts.add(save(folder, "lr-vs-accuracy.png", scatter(sweep + ": learning rate against test accuracy",
                        "learning rate (log scale)", groups, g -> g.lr(), true)));
            }
        }
        for (long trial : trials) {
            List<CurvesChart.Point> points = CurvesChart.points(dev.nin.store.TrialEpochs.load(c, trial));
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

    static List<Group> groups(Connection c, String sweep) throws SQLException {
        List<Group> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT a.configuration, a.variant, a.learning_rate, a.trials, a.test_accuracy_mean, a.test_accuracy_std,
                       a.validation_accuracy_mean, a.validation_accuracy_std,
                       (SELECT max(p.parameters) FROM resource_profiles p JOIN trials t ON t.id = p.trial_id
                        JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = a.sweep AND t.configuration = a.configuration),
                       (SELECT max(p.forward_flops) FROM resource_profiles p JOIN trials t ON t.id = p.trial_id
                        JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = a.sweep AND t.configuration = a.configuration)
                FROM ablation_comparison a WHERE a.sweep = ? ORDER BY a.test_accuracy_mean DESC, a.configuration""")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Group(r.getString(1), r.getString(2), r.getDouble(3), r.getInt(4), r.getDouble(5),
                            nanIfNull(r, 6), nanIfNull(r, 7), nanIfNull(r, 8), r.getLong(9), r.getLong(10)));
                }
            }
        }
        return out;
    }

    private static CategoryChart accuracyBars(String sweep, List<Group> groups) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480).title(sweep + ": test accuracy per configuration")
                .xAxisTitle("configuration").yAxisTitle("test accuracy (mean ± std over seeds)").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(15);
        List<String> names = shortLabels(groups.stream().map(Group::configuration).toList());
        List<Double> means = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Group g : groups) {
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

    private static XYChart scatter(String title, String xTitle, List<Group> groups,
            java.util.function.ToDoubleFunction<Group> x, boolean logX) {
        XYChart chart = new XYChartBuilder().width(700).height(480).title(title).xAxisTitle(xTitle).yAxisTitle("test accuracy").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setXAxisLogarithmic(logX);
        Map<String, List<double[]>> byVariant = new LinkedHashMap<>();
        for (Group g : groups) {
            byVariant.computeIfAbsent(g.variant(), k -> new ArrayList<>()).add(new double[] {x.applyAsDouble(g), g.testMean()});
        }
        for (Map.Entry<String, List<double[]>> e : byVariant.entrySet()) {
            chart.addSeries(e.getKey(), e.getValue().stream().mapToDouble(p -> p[0]).toArray(),
                    e.getValue().stream().mapToDouble(p -> p[1]).toArray());
        }
        return chart;
    }

    private static Path save(Path folder, String name, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        return file;
    }

    /** Bytes as MiB with one decimal, or "-" when not recorded. */
    static String mib(ResultSet r, int column) throws SQLException {
        long bytes = r.getLong(column);
        return r.wasNull() ? "-" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }

    private static String value(ResultSet r, int column, String format) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? "-" : String.format(Locale.ROOT, format, v);
    }

    private static double nanIfNull(ResultSet r, int column) throws SQLException {
        double v = r.getDouble(column);
        return r.wasNull() ? Double.NaN : v;
    }

    /** "0.8300 ± 0.0361", or the mean alone for a single seed. */
    static String meanStd(double mean, double std) {
        if (Double.isNaN(mean)) {
            return "-";
        }
        return Double.isNaN(std) ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
}
