package dev.nin.report;

import dev.nin.model.CostReport;
import dev.nin.model.PlannedLayer;
import dev.nin.model.Shape3;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints a network's layer table (the book's "output shape" listing with costs) and memory estimates. */
public final class LayerTable {

    private LayerTable() {}

    public static void print(PrintWriter out, CostReport costs, int batch, int optimizerSlots) {
        int resize = costs.plan().resize();
        out.printf(Locale.ROOT, "NiN variant %s, input %dx%d, batch %d%n%n", costs.plan().spec().variant(), resize,
                resize, batch);
        String format = "%-14s %-26s %-12s %12s %12s %14s%n";
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
        CostReport.MemoryEstimate training = costs.training(batch, optimizerSlots);
        out.printf(Locale.ROOT,
                "memory, training step (batch %d): %s = weights %s + gradients %s + optimizer state %s + activations %s%n",
                batch, Units.bytes(training.total()), Units.bytes(training.weights()), Units.bytes(training.gradients()),
                Units.bytes(training.optimizerState()), Units.bytes(training.activations()));
        CostReport.MemoryEstimate prediction = costs.prediction(batch);
        out.printf(Locale.ROOT, "memory, prediction (batch %d):    %s = weights %s + activations %s%n", batch,
                Units.bytes(prediction.total()), Units.bytes(prediction.weights()), Units.bytes(prediction.activations()));
        CostReport.MemoryEstimate single = costs.prediction(1);
        out.printf(Locale.ROOT, "memory, prediction (batch 1):      %s%n", Units.bytes(single.total()));
    }
}
