package dev.nin.report;

import dev.nin.store.query.ReportQuery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * What each network of a sweep costs, against one of them (exercise 3): parameters, forward FLOPs
 * per image, and training and prediction memory, each as a multiple of the reference network's, so
 * measures of different units share one axis and "0.78x the parameters, 0.65x the memory" can be
 * read off. Memory is the measured figure where every network has one, else the estimate (the
 * series' name says which).
 */
final class CostChart {

    /** The network every other is measured against, when the sweep has it: the book's. */
    static final String REFERENCE_VARIANT = "standard";

    private CostChart() {}

    /** One measure of a network, in its own unit, null where not recorded. */
    private record Measure(String name, Function<ReportQuery.Network, Long> value) {}

    /** The reference: {@value #REFERENCE_VARIANT} when present, else the first network. */
    static ReportQuery.Network reference(List<ReportQuery.Network> networks) {
        return networks.stream().filter(n -> n.variant().equals(REFERENCE_VARIANT)).findFirst().orElse(networks.get(0));
    }

    /** @param networks two or more, at one resize and batch (a sweep's resource rows) */
    static CategoryChart of(String sweep, List<ReportQuery.Network> networks) {
        ReportQuery.Network reference = reference(networks);
        List<Measure> measures = List.of(
                new Measure("parameters", ReportQuery.Network::parameters),
                new Measure("forward FLOPs per image", ReportQuery.Network::forwardFlops),
                memory("training memory", networks, ReportQuery.Network::trainingMemoryMeasured,
                        ReportQuery.Network::trainingMemoryEstimated),
                memory("prediction memory", networks, ReportQuery.Network::predictionMemoryMeasured,
                        ReportQuery.Network::predictionMemoryEstimated));
        CategoryChart chart = new CategoryChartBuilder().width(900).height(480)
                .title(String.format(Locale.ROOT, "%s: cost per network at %d px, batch %d, as a multiple of %s's", sweep,
                        reference.resize(), reference.batchSize(), reference.variant()))
                .xAxisTitle("network").yAxisTitle("x " + reference.variant() + "'s").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(20);
        List<String> variants = networks.stream().map(ReportQuery.Network::variant).toList();
        for (Measure m : measures) {
            Long base = m.value().apply(reference);
            List<Double> ratios = new ArrayList<>();
            for (ReportQuery.Network n : networks) {
                Long v = m.value().apply(n);
                ratios.add(v == null || base == null || base == 0 ? 0.0 : v / (double) base);
            }
            chart.addSeries(m.name(), variants, ratios);
        }
        return chart;
    }

    private static Measure memory(String name, List<ReportQuery.Network> networks, Function<ReportQuery.Network, Long> measured,
            Function<ReportQuery.Network, Long> estimated) {
        return networks.stream().allMatch(n -> measured.apply(n) != null)
                ? new Measure(name + " (measured)", measured)
                : new Measure(name + " (estimated)", estimated);
    }
}
