package dev.nin.report;

import dev.nin.store.query.TrialEpochs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
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
     * Train loss (nats, left axis) and the accuracies (right axis, with a dashed line at chance) against
     * epoch: loss and accuracy have their own scales, so neither is squeezed flat by the other;
     * validation is dashed with diamonds, test solid with circles, so one never hides under the other.
     * The legend sits outside the plot, right of it, where it covers no point. {@code title} names the
     * run (sweep, configuration, seed), not only its trial number.
     */
    public static XYChart chart(String title, List<Point> points) {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(1000).height(440).title(title).xAxisTitle("epoch").build();
        chart.setYAxisGroupTitle(0, "training loss (nats)");
        chart.setYAxisGroupTitle(1, "accuracy");
        chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(11f));
        XYSeries loss = add(chart, "train loss", points, Point::trainLoss, 0);
        if (loss != null) {
            loss.setMarker(SeriesMarkers.SQUARE);
        }
        add(chart, "train acc", points, Point::trainAccuracy, 1);
        XYSeries validation = add(chart, "validation acc", points, Point::validationAccuracy, 1);
        if (validation != null) {
            validation.setMarker(SeriesMarkers.DIAMOND);
            validation.setLineStyle(DASHED);
        }
        add(chart, "test acc", points, Point::testAccuracy, 1);
        if (!points.isEmpty()) {
            ChartStyle.chanceLine(chart, points.get(0).epoch(), points.get(points.size() - 1).epoch()).setYAxisGroup(1);
        }
        return chart;
    }

    private static final java.awt.BasicStroke DASHED = new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT,
            java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {8f, 4f}, 0f);

    /** The series of one figure on one y axis group, epochs where it was measured; null when it never was. */
    private static XYSeries add(XYChart chart, String name, List<Point> points, java.util.function.ToDoubleFunction<Point> value,
            int axis) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (Point p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isNaN(v)) {
                x.add((double) p.epoch());
                y.add(v);
            }
        }
        if (x.isEmpty()) {
            return null;
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setYAxisGroup(axis);
        return series;
    }
}
