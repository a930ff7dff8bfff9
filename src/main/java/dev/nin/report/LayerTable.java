package dev.nin.report;

import dev.nin.io.Units;
import dev.nin.model.ComputePrecision;
import dev.nin.model.CostReport;
import dev.nin.model.PlannedLayer;
import dev.nin.model.Shape3;
import dev.nin.train.MeasuredMemory;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints a network's layer table (the book's "output shape" listing with costs) and memory estimates. */
public final class LayerTable {

    private LayerTable() {}

    /** The layer table, totals and memory estimates. */
    public static void print(PrintWriter out, CostReport costs, int batch, int optimizerSlots) {
        print(out, costs, batch, optimizerSlots, ComputePrecision.FP32);
    }

    /** As above, with the memory estimates of a network computing in {@code precision}. */
    public static void print(PrintWriter out, CostReport costs, int batch, int optimizerSlots, ComputePrecision precision) {
        printLayers(out, costs, batch);
        printMemory(out, costs, batch, optimizerSlots, precision, null);
    }

    /** The layer table and totals (parameters, multiply-adds, FLOPs, activations, smallest input). */
    public static void printLayers(PrintWriter out, CostReport costs, int batch) {
        int resize = costs.plan().resize();
        out.printf(Locale.ROOT, "NiN variant %s, input %dx%d, batch %d%n%n", costs.plan().spec().variant(), resize,
                resize, batch);
        int width = Math.max(26, costs.layers().stream().mapToInt(l -> l.description().length()).max().orElse(0));
        String format = "%-14s %-" + width + "s %-12s %12s %12s %14s%n";
        out.printf(Locale.ROOT, format, "layer", "operation", "output", "params", "mult-adds", "activations");
        Shape3 input = new Shape3(costs.plan().spec().inputChannels(), resize, resize);
        out.printf(Locale.ROOT, format, "input", "resize + scale to [0,1]", input, "0", "0",
                Units.bytes(input.elements() * CostReport.BYTES_PER_VALUE));
        for (PlannedLayer layer : costs.layers()) {
            out.printf(Locale.ROOT, format, layer.name(), layer.description(), layer.output(),
                    Units.count(layer.params()), Units.millions(layer.multiplyAdds()),
                    Units.bytes(layer.output().elements() * CostReport.BYTES_PER_VALUE));
        }
        out.printf(Locale.ROOT, format, "flatten", "", costs.plan().spec().classes(), "", "", "");
        out.println();
        out.printf(Locale.ROOT, "parameters           %s%n", Units.count(costs.params()));
        out.printf(Locale.ROOT, "multiply-adds        %s per image (%s exactly)%n", Units.millions(costs.multiplyAdds()),
                Units.count(costs.multiplyAdds()));
        out.printf(Locale.ROOT, "FLOPs, forward       %.3f GFLOP per image%n", costs.forwardFlops() / 1e9);
        out.printf(Locale.ROOT, "FLOPs, training step %.3f GFLOP per image (forward + 2 backward passes)%n",
                costs.trainingFlops() / 1e9);
        out.printf(Locale.ROOT, "activations          %s per image (all layer outputs)%n",
                Units.bytes(costs.activationElements() * CostReport.BYTES_PER_VALUE));
        out.printf(Locale.ROOT, "smallest input       %d px%n", dev.nin.model.NetworkPlan.smallestResize(costs.plan().spec()));
        out.println();
    }

    /**
     * The memory section: estimates for training and prediction at batch 1 and {@code batch}, with
     * the measured figures beside them when {@code measured} is given.
     */
    public static void printMemory(PrintWriter out, CostReport costs, int batch, int optimizerSlots,
            ComputePrecision precision, MeasuredMemory measured) {
        String format = measured == null ? "%-24s %12s%n" : "%-24s %12s %12s %8s%n";
        // fp32 keeps the header it always had, so layer tables of earlier trials stay byte for byte.
        out.printf(Locale.ROOT, format, precision == ComputePrecision.FP32 ? "memory" : "memory, " + precision.key(),
                "estimated", "measured", "ratio");
        row(out, format, "training, batch " + batch, costs.training(batch, optimizerSlots, precision).total(),
                measured == null ? -1 : measured.training());
        row(out, format, "training, batch 1", costs.training(1, optimizerSlots, precision).total(),
                measured == null ? -1 : measured.trainingBatch1());
        row(out, format, "prediction, batch " + batch, costs.prediction(batch, precision).total(),
                measured == null ? -1 : measured.prediction());
        row(out, format, "prediction, batch 1", costs.prediction(1, precision).total(),
                measured == null ? -1 : measured.predictionBatch1());
        CostReport.MemoryEstimate training = costs.training(batch, optimizerSlots, precision);
        out.printf(Locale.ROOT, "training, batch %d = weights %s + gradients %s + optimizer state %s"
                        + " + activations kept %s + backward workspace %s%n", batch, Units.bytes(training.weights()),
                Units.bytes(training.gradients()), Units.bytes(training.optimizerState()), Units.bytes(training.activations()),
                Units.bytes(training.backwardWorkspace()));
        CostReport.MemoryEstimate prediction = costs.prediction(batch, precision);
        out.printf(Locale.ROOT, "prediction, batch %d = weights %s + widest layer's input and output %s%n", batch,
                Units.bytes(prediction.weights()), Units.bytes(prediction.activations()));
        if (measured == null) {
            out.println("(measure with --measure: peak resident memory of a fresh process running the model)");
        } else {
            out.println("measured: " + measured.method());
        }
    }

    private static void row(PrintWriter out, String format, String label, long estimated, long measured) {
        // With no measurement the format has one column, and printf ignores the extra arguments.
        out.printf(Locale.ROOT, format, label, Units.bytes(estimated), measured < 0 ? "" : Units.bytes(measured),
                measured < 0 ? "" : String.format(Locale.ROOT, "%.2fx", (double) measured / estimated));
    }
}
