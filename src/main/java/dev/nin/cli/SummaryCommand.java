package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.config.Knob;

import dev.nin.train.MeasuredMemory;
import dev.nin.train.MemoryProbe;
import java.io.PrintWriter;

import dev.nin.report.LayerTable;
import dev.nin.model.ComputePrecision;
import dev.nin.model.CostReport;
import dev.nin.model.ModelSpec;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;


import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin summary}: the layer table, parameters, FLOPs and memory of a variant, without TensorFlow. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print a variant's layers with output shapes, parameters, multiply-adds, FLOPs and memory estimates.")
public class SummaryCommand extends NinSubcommand {

    @Option(names = "--variant", defaultValue = "standard", paramLabel = "NAME",
            description = "Architecture: standard, single-1x1, no-1x1, gradual-head (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--resize", defaultValue = "224", paramLabel = "PX",
            description = "Input side in pixels (default: ${DEFAULT-VALUE}).")
    int resize;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "N",
            description = "Batch size for the memory estimates (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--momentum", defaultValue = "0", paramLabel = "M",
            description = "Momentum of the optimizer; above 0 it keeps one more value per parameter (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--measure", paramLabel = "",
            description = "Also measure training and prediction memory: runs the model for a few steps in fresh processes"
                    + " (a few seconds at 96 px, about 30 s at 224).")
    boolean measure;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|fp16",
            description = "What the network computes in: the memory estimates (and --measure) of activations in bf16 or fp16"
                    + " with float32 weights (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "TensorFlow CPU threads for --measure (0 = all cores; default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    protected ExitCode execute() {
        // The ranges train and sweep files use, so a summary is never of a network nin cannot train.
        Knob.BATCH.requireFlag(batch);
        Knob.RESIZE.requireFlag(resize);
        Knob.MOMENTUM.requireFlag(momentum);
        Knob.THREADS.requireFlag(threads);
        ComputePrecision computing = parsePrecision(precision);
        ModelSpec model = Variants.named(variant);
        CostReport costs = CostReport.of(model, resize);
        OptimizerSpec optimizer = new OptimizerSpec(momentum, false, 0);
        PrintWriter out = out();
        if (!measure) {
            LayerTable.print(out, costs, batch, optimizer.slotsPerParameter(), computing);
        } else {
            LayerTable.printLayers(out, costs, batch);
            out.println("measuring memory in fresh processes...");
            out.flush();
            MeasuredMemory measured = new MemoryProbe(threads).measureAll(model, resize, batch, optimizer, computing);
            LayerTable.printMemory(out, costs, batch, optimizer.slotsPerParameter(), computing, measured);
        }
        out().flush();
        return ExitCode.OK;
    }

    /** {@code --precision}: a precision, not auto (a summary runs on no particular device). */
    private static ComputePrecision parsePrecision(String text) {
        try {
            return ComputePrecision.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--precision: expected fp32, bf16 or fp16, found '" + text + "'");
        }
    }
}
