package dev.nin.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Locale;
import java.util.function.Function;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** What every report chart shares: the chance line, readable tick labels, the legend out of the data. */
final class ChartStyle {

    /** Accuracy of guessing among Fashion-MNIST's 10 classes: where a network on the ln 10 plateau sits. */
    static final double CHANCE_ACCURACY = 0.1;

    /** The chance line's series name. */
    static final String CHANCE = "chance (0.1)";

    private static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private ChartStyle() {}

    /** A dashed grey line at chance accuracy from {@code fromX} to {@code toX}. */
    static XYSeries chanceLine(XYChart chart, double fromX, double toX) {
        XYSeries line = chart.addSeries(CHANCE, new double[] {fromX, toX}, new double[] {CHANCE_ACCURACY, CHANCE_ACCURACY});
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineStyle(DASHED);
        line.setLineColor(Color.GRAY);
        return line;
    }

    /** Ticks in SI units: 1,600,000 → "1.6 M", 450,000,000 → "450 M", 2.1e9 → "2.1 G", 0 → "0". */
    static String si(double value) {
        double magnitude = Math.abs(value);
        String[] prefixes = {"", " k", " M", " G", " T"};
        int step = 0;
        while (magnitude >= 1000 && step < prefixes.length - 1) {
            magnitude /= 1000;
            value /= 1000;
            step++;
        }
        return trim(String.format(Locale.ROOT, "%.3g", value)) + prefixes[step];
    }

    /**
     * Labels for an axis that holds log10 of a value: each tick shows the value, to 2 significant
     * digits (−1.3 → "0.05", −1 → "0.1"). XChart's own logarithmic axis labels only powers of ten, so
     * a learning-rate range inside one decade would show none.
     */
    static final Function<Double, String> LOG10_TICKS = log -> trim(String.format(Locale.ROOT, "%.2g", Math.pow(10, log)));

    /** "1.60" → "1.6", "450." → "450", "2.00e+03" unchanged. */
    private static String trim(String number) {
        if (number.contains("e") || !number.contains(".")) {
            return number;
        }
        String trimmed = number.replaceAll("0+$", "");
        return trimmed.endsWith(".") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
