package dev.nin.report;

import dev.nin.store.TrialEpochs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** A trial's training curves as a PNG, like the book's plot: train loss, train acc, validation and test acc per epoch. */
public final class CurvesChart {

    /** One epoch's figures; NaN where not measured. */
    public record Point(int epoch, double trainLoss, double trainAccuracy, double validationAccuracy, double testAccuracy) {}

    private CurvesChart() {}

    /** The chart's points of recorded epochs. */
    public static List<Point> points(List<TrialEpochs.Epoch> epochs) {
        List<Point> points = new ArrayList<>();
        for (TrialEpochs.Epoch e : epochs) {
            points.add(new Point(e.epoch(), e.trainLoss(), e.trainAccuracy(), nanIfNull(e.validationAccuracy()),
                    nanIfNull(e.testAccuracy())));
        }
        return points;
    }

    private static double nanIfNull(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** The chart as a PNG: see {@link #chart}. */
    public static byte[] png(String title, List<Point> points) throws IOException {
        return BitmapEncoder.getBitmapBytes(chart(title, points), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Train loss (nats) and the accuracies against epoch, a dashed line at chance accuracy, and the
     * legend outside the plot, right of it, where it covers no point. {@code title} names the run
     * (its variant, learning rate and seed), not only its trial number.
     */
    public static XYChart chart(String title, List<Point> points) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(820).height(420).title(title).xAxisTitle("epoch")
                .yAxisTitle("loss (nats) / accuracy").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(12f));
        add(chart, "train loss", points, Point::trainLoss);
        add(chart, "train acc", points, Point::trainAccuracy);
        add(chart, "validation acc", points, Point::validationAccuracy);
        add(chart, "test acc", points, Point::testAccuracy);
        if (!points.isEmpty()) {
            ChartStyle.chanceLine(chart, points.get(0).epoch(), points.get(points.size() - 1).epoch());
        }
        return chart;
    }

    private static void add(XYChart chart, String name, List<Point> points, java.util.function.ToDoubleFunction<Point> value) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (Point p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isNaN(v)) {
                x.add((double) p.epoch());
                y.add(v);
            }
        }
        if (!x.isEmpty()) {
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
        }
    }
}
