package dev.nin.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.query.ReportQuery;
import dev.nin.store.query.SeedStatisticsQuery.Summary;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;

/** The report's charts as objects: axes, tick labels, legends, series (issue 18's list of what read badly). */
class ReportChartsTest {

    private static Summary summary(String configuration, String variant, long n, Double mean, Double std) {
        return new Summary(configuration, variant, n, 0, n, mean, std, mean, std, mean, std, mean, std);
    }

    private static ReportQuery.Configuration cost(String configuration, String variant, double lr, long parameters, long flops) {
        return new ReportQuery.Configuration(configuration, variant, lr, 3, 0.8, 0.01, 0.8, 0.01, parameters, flops);
    }

    private static List<SweepReport.Group> groups() {
        List<Summary> summaries = List.of(summary("standard lr=0.05", "standard", 3, 0.85, 0.01),
                summary("standard lr=0.1", "standard", 1, 0.83, null), summary("no-1x1 lr=0.05", "no-1x1", 3, 0.80, 0.02));
        List<ReportQuery.Configuration> costs = List.of(cost("standard lr=0.05", "standard", 0.05, 1_992_166, 767_000_000),
                cost("standard lr=0.1", "standard", 0.1, 1_992_166, 767_000_000),
                cost("no-1x1 lr=0.05", "no-1x1", 0.05, 1_546_058, 460_000_000));
        return SweepReport.groups(summaries, costs, false);
    }

    @Test
    void learningRateAxisIsLinearInLog10WithEveryTickLabelledByItsValue() {
        XYChart chart = SweepReport.scatter("s: lr", "learning rate (log scale)", groups(), g -> Math.log10(g.cost().lr()),
                ChartStyle.LOG10_TICKS);
        // XChart's logarithmic axis labels only powers of ten: 0.02..0.4 would show one label, 0.1.
        assertFalse(chart.getStyler().isXAxisLogarithmic());
        Function<Double, String> ticks = chart.getStyler().getxAxisTickLabelsFormattingFunction();
        assertNotNull(ticks);
        assertEquals("0.1", ticks.apply(-1.0));
        assertEquals("0.05", ticks.apply(Math.log10(0.05)));
        assertEquals("0.025", ticks.apply(Math.log10(0.025)));
        assertEquals("0.4", ticks.apply(Math.log10(0.4)));
        assertEquals("0.04", ticks.apply(-1.4)); // 10^-1.4 = 0.0398, shown to 2 significant digits
    }

    @Test
    void scatterAxesUseSiUnitsAndTheLegendSitsRightOfThePlot() {
        XYChart chart = SweepReport.scatter("s: params", "parameters", groups(), g -> g.cost().parameters(), ChartStyle::si);
        Function<Double, String> ticks = chart.getStyler().getxAxisTickLabelsFormattingFunction();
        assertEquals("1.6 M", ticks.apply(1_600_000.0));
        assertEquals("2 M", ticks.apply(2_000_000.0));
        assertEquals("450 M", ticks.apply(450_000_000.0));
        assertEquals("2.1 G", ticks.apply(2.1e9));
        assertEquals("0", ticks.apply(0.0));
        assertEquals(LegendPosition.OutsideE, chart.getStyler().getLegendPosition());
        // Two variants and the chance line.
        assertEquals(List.of("standard", "no-1x1", ChartStyle.CHANCE), new ArrayList<>(chart.getSeriesMap().keySet()));
        XYSeries chance = chart.getSeriesMap().get(ChartStyle.CHANCE);
        assertEquals(List.of(0.1, 0.1), toList(chance.getYData()));
        assertEquals(List.of(1_546_058.0, 1_992_166.0), toList(chance.getXData()));
        assertNotNull(chance.getLineStyle().getDashArray());
    }

    private static ReportQuery.Trial trial(long id, String configuration, double test, boolean stuck) {
        return new ReportQuery.Trial(id, "completed", configuration, "standard", 0.05, id, 2, 0.5, test, test, stuck);
    }

    @Test
    void accuracyDotsDrawEverySeedAnd95PercentTIntervalsOnAFittedAxis() throws Exception {
        List<ReportQuery.Trial> trials = List.of(trial(1, "standard lr=0.05", 0.84, false), trial(2, "standard lr=0.05", 0.85, false),
                trial(3, "standard lr=0.05", 0.86, false), trial(4, "standard lr=0.1", 0.83, false),
                trial(5, "no-1x1 lr=0.05", 0.78, false), trial(6, "no-1x1 lr=0.05", 0.82, false),
                trial(7, "no-1x1 lr=0.05", 0.80, false), trial(8, "no-1x1 lr=0.05", 0.1, true));
        XYChart chart = SweepReport.accuracyBars("s", groups(), trials);
        assertEquals(List.of("standard lr=0.05 (3 seeds)", "standard lr=0.1 (1 seed)", "no-1x1 lr=0.05 (3 seeds)", "seeds",
                "stuck seeds (not in the means)"), new ArrayList<>(chart.getSeriesMap().keySet()));
        XYSeries first = chart.getSeriesMap().get("standard lr=0.05 (3 seeds)");
        assertEquals(List.of(1.0), toList(first.getXData()));
        assertEquals(List.of(0.85), toList(first.getYData()));
        // t(0.975, 2) = 4.3027: the interval is 4.3 standard errors, not one standard deviation.
        assertEquals(4.302653 * 0.01 / Math.sqrt(3), first.getExtraValues()[0], 1e-6);
        assertNull(chart.getSeriesMap().get("standard lr=0.1 (1 seed)").getExtraValues());
        XYSeries seeds = chart.getSeriesMap().get("seeds");
        assertEquals(7, seeds.getYData().length, "every counted seed is a dot");
        assertEquals(List.of(0.84, 0.85, 0.86, 0.83, 0.78, 0.82, 0.80), toList(seeds.getYData()));
        for (double x : seeds.getXData()) {
            assertTrue(Math.abs(x - Math.round(x)) < 0.2, "a seed's dot stands at its configuration: " + x);
        }
        assertEquals(List.of(0.1), toList(chart.getSeriesMap().get("stuck seeds (not in the means)").getYData()));
        // Fitted to what is drawn, from the stuck seed at 0.1 to the top of the first interval.
        double top = 0.85 + 4.302653 * 0.01 / Math.sqrt(3);
        assertEquals(0.1 - 0.1 * (top - 0.1), chart.getStyler().getYAxisMin(), 1e-6);
        assertEquals(top + 0.1 * (top - 0.1), chart.getStyler().getYAxisMax(), 1e-6);
        assertEquals(LegendPosition.OutsideE, chart.getStyler().getLegendPosition());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
        assertEquals(900, image.getWidth());

        // Without stuck seeds, the axis hugs the accuracies: 0.78 to 0.86, not 0.1 to 0.9.
        XYChart close = SweepReport.accuracyBars("s", groups(), trials.subList(0, 7));
        assertTrue(close.getStyler().getYAxisMin() > 0.7, "y from " + close.getStyler().getYAxisMin());
    }

    @Test
    void differencesAreTheTablesIntervalsAroundADashedZero() {
        List<SeedComparison.Interval> intervals = List.of(
                new SeedComparison.Interval("a lr=0.1", "base lr=0.1", 4, 4, 0.012, -0.004, 0.028, SeedComparison.Method.WELCH),
                new SeedComparison.Interval("b lr=0.1", "base lr=0.1", 4, 4, 0.030, 0.010, 0.050, SeedComparison.Method.WELCH));
        XYChart chart = SweepReport.differenceChart("s", "base lr=0.1", intervals);
        List<String> names = new ArrayList<>(chart.getSeriesMap().keySet());
        assertEquals(3, names.size(), names.toString());
        XYSeries a = chart.getSeriesMap().get(names.get(0));
        assertEquals(List.of(1.0, 1.0, 1.0), toList(a.getXData()));
        assertEquals(List.of(-0.004, 0.012, 0.028), toList(a.getYData()));
        XYSeries zero = chart.getSeriesMap().get(names.get(2));
        assertTrue(zero.getName().startsWith("0: baseline base"), zero.getName());
        assertEquals(List.of(0.0, 0.0), toList(zero.getYData()));
        assertNotNull(zero.getLineStyle().getDashArray());
        assertTrue(chart.getStyler().getYAxisMin() < -0.004 && chart.getStyler().getYAxisMax() > 0.05);
    }

    @Test
    void manyCloseLearningRatesAndLongLabelsStillRender() {
        // XChart's tick search has been seen not to end (x ticks with long labels): a report must not hang.
        List<Summary> summaries = new ArrayList<>();
        List<ReportQuery.Configuration> costs = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < 30; i++) {
            double lr = Math.exp(Math.log(0.02) + random.nextDouble() * Math.log(20));
            String name = "nin-bn lr=" + lr + " epochs=2 batch=128 resize=67 momentum=0.9 init=he smoothing=0.1 crop=2";
            summaries.add(summary(name, i % 2 == 0 ? "nin-bn" : "standard", 1, 0.5 + random.nextDouble() / 3, null));
            costs.add(cost(name, "nin-bn", lr, 1_992_166 + i, 767_000_000L + i * 1000L));
        }
        List<SweepReport.Group> many = SweepReport.groups(summaries, costs, false);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
            for (var chart : List.of(SweepReport.accuracyBars("s", many, List.of()),
                    SweepReport.scatter("s", "lr", many, g -> Math.log10(g.cost().lr()), ChartStyle.LOG10_TICKS),
                    SweepReport.scatter("s", "parameters", many, g -> g.cost().parameters(), ChartStyle::si))) {
                assertTrue(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG).length > 1000);
            }
        });
    }

    @Test
    void dotsOfOnlySingleSeedsHaveNoErrorBars() {
        List<SweepReport.Group> singles = SweepReport.groups(List.of(summary("a", "standard", 1, 0.8, null),
                summary("b", "standard", 1, 0.7, null)), List.of(), false);
        XYChart chart = SweepReport.accuracyBars("s", singles, List.of());
        assertEquals(List.of("a (1 seed)", "b (1 seed)"), new ArrayList<>(chart.getSeriesMap().keySet()));
        assertTrue(chart.getSeriesMap().values().stream().allMatch(series -> series.getExtraValues() == null));
    }

    @Test
    void epochChartsDrawEachConfigurationsMeanOverItsSeeds() {
        java.util.Map<String, List<List<CurvesChart.Point>>> runs = new java.util.LinkedHashMap<>();
        runs.put("nin-bn lr=0.045", List.of(
                List.of(new CurvesChart.Point(1, 1.8, 0.5, 0.6, 0.60), new CurvesChart.Point(2, 1.0, 0.7, 0.7, 0.70)),
                List.of(new CurvesChart.Point(1, 1.6, 0.5, 0.6, 0.64), new CurvesChart.Point(2, 0.8, 0.7, 0.7, 0.74))));
        runs.put("gradual-head-bn lr=0.045", List.of(
                List.of(new CurvesChart.Point(1, 1.5, 0.5, 0.6, 0.66), new CurvesChart.Point(2, 0.9, 0.7, 0.7, 0.72))));
        XYChart loss = SweepReport.byEpoch("s", "training loss", runs, CurvesChart.Point::trainLoss);
        assertEquals(List.of("nin-bn (2 seeds)", "gradual-head-bn (1 seed)"), new ArrayList<>(loss.getSeriesMap().keySet()));
        XYSeries nin = loss.getSeriesMap().get("nin-bn (2 seeds)");
        assertEquals(List.of(1.0, 2.0), toList(nin.getXData()));
        assertEquals(1.7, nin.getYData()[0], 1e-12);
        assertEquals(0.9, nin.getYData()[1], 1e-12);
        assertEquals(0.9 - 0.08, loss.getStyler().getYAxisMin(), 1e-9, "fitted to the lines: a tenth of the span below");
        assertEquals(1.7 + 0.08, loss.getStyler().getYAxisMax(), 1e-9);
        XYChart accuracy = SweepReport.byEpoch("s", "test accuracy", runs, CurvesChart.Point::testAccuracy);
        assertEquals(0.72, accuracy.getSeriesMap().get("nin-bn (2 seeds)").getYData()[1], 1e-12);
    }

    @Test
    void curvesFilesAreNamedByConfigurationAndSeedNotByTrialId() {
        java.util.Set<String> taken = new java.util.HashSet<>();
        ReportQuery.Trial a = new ReportQuery.Trial(20, "completed", "c", "nin-bn", 0.1, 2, 3, 0.8, 0.8, 0.8, false);
        ReportQuery.Trial again = new ReportQuery.Trial(31, "completed", "c", "nin-bn", 0.1, 2, 3, 0.8, 0.8, 0.8, false);
        assertEquals("curves-gradual-head-192-bn-seed-2.png", SweepReport.curvesFile("gradual-head-192-bn", a, taken));
        assertEquals("curves-lr-0.05-seed-2.png", SweepReport.curvesFile("lr=0.05", a, taken));
        assertEquals("curves-lr-0.05-seed-2-trial-31.png", SweepReport.curvesFile("lr=0.05", again, taken),
                "a second trial of one configuration and seed keeps its own file");
    }

    @Test
    void curvesNameTheRunAndKeepTheLegendOffTheData() {
        List<CurvesChart.Point> points = List.of(new CurvesChart.Point(1, 1.2, 0.6, 0.62, 0.61),
                new CurvesChart.Point(2, 0.8, 0.7, 0.71, 0.7));
        ReportQuery.Trial trial = new ReportQuery.Trial(7, "completed", "nin-bn lr=0.0299 momentum=0.9 init=he smoothing=0.1",
                "nin-bn", 0.029912, 3, 2, 0.8, 0.71, 0.7, false);
        String title = SweepReport.curvesTitle("exercise-2", trial);
        assertEquals("exercise-2: nin-bn lr=0.0299 momentum=0.9 init=he smoothing=0.1, seed 3 (trial 7, completed)", title);
        XYChart chart = CurvesChart.chart(title, points);
        assertEquals(title, chart.getTitle());
        assertEquals(LegendPosition.OutsideE, chart.getStyler().getLegendPosition());
        assertEquals(List.of("train loss", "train acc", "validation acc", "test acc", ChartStyle.CHANCE),
                new ArrayList<>(chart.getSeriesMap().keySet()));
        assertEquals(List.of(1.0, 2.0), toList(chart.getSeriesMap().get(ChartStyle.CHANCE).getXData()));
        // Loss on its own (left) axis, accuracies and chance on the right one.
        assertEquals(0, chart.getSeriesMap().get("train loss").getYAxisGroup());
        assertEquals(1, chart.getSeriesMap().get("test acc").getYAxisGroup());
        assertEquals(1, chart.getSeriesMap().get(ChartStyle.CHANCE).getYAxisGroup());
        assertEquals("training loss (nats)", chart.getYAxisGroupTitle(0));
        // Validation and test differ in marker and line, so one cannot hide the other.
        XYSeries validation = chart.getSeriesMap().get("validation acc");
        XYSeries test = chart.getSeriesMap().get("test acc");
        assertFalse(validation.getMarker().getClass().equals(test.getMarker().getClass()), "markers differ");
        assertFalse(validation.getLineStyle() == null || validation.getLineStyle().equals(test.getLineStyle()), "lines differ");
    }

    @Test
    void bestSoFarHasAChanceLineForAccuracyOnly() {
        List<LeaderboardQuery.BestSoFar> curve = List.of(new LeaderboardQuery.BestSoFar(1, 4, "completed", "start-up", 0.7, 0.7),
                new LeaderboardQuery.BestSoFar(2, 5, "pruned", "model-guided", null, 0.7));
        assertTrue(SweepReport.bestSoFarChart("s", "validation_accuracy", curve).getSeriesMap().containsKey(ChartStyle.CHANCE));
        assertFalse(SweepReport.bestSoFarChart("s", "train_loss", curve).getSeriesMap().containsKey(ChartStyle.CHANCE));
    }

    private static List<Object> toList(java.util.Collection<?> values) {
        return new ArrayList<>(values);
    }

    private static List<Object> toList(double[] values) {
        return new ArrayList<>(java.util.Arrays.stream(values).boxed().toList());
    }

    private static ReportQuery.Network network(String variant, long parameters, long flops, Long trainingMeasured) {
        return new ReportQuery.Network(variant, 224, 128, parameters, flops, 3 * flops, 1_000L << 20, trainingMeasured,
                300L << 20, 400L << 20, null, null);
    }

    @Test
    void theCostChartShowsEachMeasureAsAMultipleOfTheBooksNetwork() throws Exception {
        List<ReportQuery.Network> networks = List.of(network("gradual-head", 2_299_640, 1_539_959_304, 1_033L << 20),
                network("no-1x1", 1_546_058, 1_154_000_000, 668L << 20), network("standard", 1_992_166, 1_525_000_000, 1_025L << 20),
                network("single-1x1", 1_769_112, 1_340_000_000, 861L << 20), network("gradual-head-192", 2_660_216, 1_557_978_504,
                        1_039L << 20), network("nin-bn", 1_994_404, 1_525_000_000, 4_194L << 20));
        org.knowm.xchart.CategoryChart chart = CostChart.of("exercise-3", networks);
        assertEquals("exercise-3: cost per network at 224 px, batch 128, as a multiple of standard's", chart.getTitle());
        org.knowm.xchart.CategorySeries parameters = chart.getSeriesMap().get("parameters");
        List<Double> ratios = new ArrayList<>();
        parameters.getYData().forEach(y -> ratios.add(y.doubleValue()));
        // no-1x1 against standard: 1,546,058 / 1,992,166, computed by hand.
        assertEquals(0.7761, ratios.get(1), 1e-4);
        assertEquals(1.0, ratios.get(2), 0.0, "the reference against itself");
        List<Double> memory = new ArrayList<>();
        chart.getSeriesMap().get("training memory (measured)").getYData().forEach(y -> memory.add(y.doubleValue()));
        assertEquals(4194.0 / 1025.0, memory.get(5), 1e-9);
        assertNotNull(chart.getSeriesMap().get("prediction memory (measured)"));
        // Six long category names render (XChart's tick search must end) into a readable image.
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(
                BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG)));
        assertEquals(900, image.getWidth());
    }

    @Test
    void theCostChartSaysWhenMemoryIsOnlyEstimated() {
        List<ReportQuery.Network> networks = List.of(network("no-1x1", 1_546_058, 1_154_000_000, null),
                network("single-1x1", 1_769_112, 1_340_000_000, 861L << 20));
        org.knowm.xchart.CategoryChart chart = CostChart.of("s", networks);
        assertNotNull(chart.getSeriesMap().get("training memory (estimated)"));
        assertTrue(chart.getTitle().endsWith("as a multiple of no-1x1's"), "without standard, the first network");
    }

    @Test
    void aRunThatEndedBeforeItsFirstEpochStillGetsAChart() throws Exception {
        // A trial that failed or stalled in epoch 1 has no epoch rows: MLflow still gets its (empty) curves.
        byte[] png = CurvesChart.png("s: c, seed 1 (trial 3, failed)", List.of());
        assertNotNull(ImageIO.read(new ByteArrayInputStream(png)));
    }
}
