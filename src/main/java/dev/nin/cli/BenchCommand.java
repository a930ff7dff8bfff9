package dev.nin.cli;

import dev.nin.app.NinServices;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.Variants;
import dev.nin.train.Benchmark;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin bench}: training and inference speed against the machine's measured convolution ceiling. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and inference images/s and achieved GFLOP/s against the convolution "
                + "ceiling, timed in turns with them. Prints figures; compares nothing to a threshold. "
                + "'bench claims' measures how fast the store hands trials to workers instead.",
        subcommands = ClaimBenchCommand.class)
public class BenchCommand extends NinSubcommand {

    @Inject
    NinServices services;

    @Option(names = "--variant", defaultValue = "standard", paramLabel = "NAME",
            description = "Architecture to measure (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--resize", defaultValue = "224,96", split = ",", paramLabel = "PX",
            description = "Input sizes, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> resizes;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "5", paramLabel = "N", description = "Timed steps per figure (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", paramLabel = "N", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
            description = "Measure each size N times in turn and print the median and range of the ratios (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "TensorFlow CPU threads (default: 0 = all cores).")
    int threads;

    @Option(names = "--xla", description = "Let XLA's JIT compile the graphs (a lever to weigh; training does not use it).")
    boolean xla;

    @Option(names = "--trials", defaultValue = "0", paramLabel = "N",
            description = "Also run N short trainings in a row, as a sweep's trials, and print the process memory after each "
                    + "(default: ${DEFAULT-VALUE}).")
    int trials;

    @Override
    protected ExitCode execute() {
        ModelSpec model = Variants.named(variant);
        if (batch < 1 || steps < 1 || warmup < 0 || rounds < 1) {
            throw new IllegalArgumentException("batch, steps and rounds: expected 1 or more, warmup 0 or more; found batch "
                    + batch + ", steps " + steps + ", rounds " + rounds + ", warmup " + warmup);
        }
        resizes.forEach(size -> NetworkPlan.of(model, size));
        PrintWriter out = out();
        RuntimeInfo runtime = services.tensorflow(DeviceRequest.parse(device), line -> out.println("note: " + line));
        out.printf(Locale.ROOT, "nin bench: %s, batch %d, %d timed steps after %d warm-up, on %s (TensorFlow %s, oneDNN %s,"
                        + " threads %s, XLA %s)%n", variant, batch, steps, warmup, runtime.device(), runtime.tensorflowVersion(),
                runtime.oneDnn() ? "on" : "off", threads == 0 ? "all cores" : Integer.toString(threads), xla ? "on" : "off");
        out.flush();
        Benchmark bench = new Benchmark(runtime, threads, xla);
        // This machine's speed drifts by a third within minutes (shared cores), so each figure is
        // read against the ceiling timed in turns with its own steps.
        out.printf(Locale.ROOT, "ceiling: a 5x5 conv 96->256 at 26x26, batch %d, timed in turns with each phase's steps%n", batch);
        out.printf(Locale.ROOT, "%-8s %-10s %10s %10s %10s %12s%n", "resize", "phase", "img/s", "GFLOP/s", "ceiling", "of ceiling");
        out.flush();
        for (int size : resizes) {
            List<Double> trainRatios = new ArrayList<>();
            List<Double> inferRatios = new ArrayList<>();
            double trainImagesPerSecond = 0;
            for (int round = 0; round < rounds; round++) {
                Benchmark.Paired train = bench.paired(model, size, batch, warmup, steps, Benchmark.Phase.TRAINING);
                row(out, size, "training", train);
                Benchmark.Paired infer = bench.paired(model, size, batch, warmup, steps, Benchmark.Phase.INFERENCE);
                row(out, size, "inference", infer);
                trainRatios.add(train.ratio());
                inferRatios.add(infer.ratio());
                trainImagesPerSecond = train.phase().imagesPerSecond();
            }
            if (rounds > 1) {
                spread(out, size, "training", trainRatios);
                spread(out, size, "inference", inferRatios);
            }
            double prepare = bench.batchPreparationMicros(batch, 200);
            out.printf(Locale.ROOT, "%-8d batch preparation on the Java side: %.0f us per step, %.3f%% of a training step%n",
                    size, prepare, 100 * prepare / 1e6 / (batch / trainImagesPerSecond));
            out.flush();
        }
        if (trials > 0) {
            int size = resizes.get(resizes.size() - 1);
            List<Long> resident = bench.residentMemoryAcrossTrials(model, size, batch, trials, 2);
            out.printf(Locale.ROOT, "process memory after each of %d trainings at %d px (2 steps each): %s%n", trials, size,
                    String.join(", ", resident.stream().map(dev.nin.io.Units::bytes).toList()));
            out.printf(Locale.ROOT, "growth from the second to the last: %s%n",
                    resident.size() < 2 ? "n/a" : dev.nin.io.Units.bytes(resident.get(resident.size() - 1) - resident.get(1)));
        }
        return ExitCode.OK;
    }

    /** The median and range of one phase's ratios over the rounds: single runs drift too much to compare levers. */
    private static void spread(PrintWriter out, int size, String phase, List<Double> ratios) {
        List<Double> sorted = ratios.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        out.printf(Locale.ROOT, "%-8d %-10s of the ceiling over %d rounds: median %.1f%%, range %.0f-%.0f%%%n", size, phase, n,
                100 * median, 100 * sorted.get(0), 100 * sorted.get(n - 1));
        out.flush();
    }

    private static void row(PrintWriter out, int size, String phase, Benchmark.Paired p) {
        out.printf(Locale.ROOT, "%-8d %-10s %10.1f %10.1f %10.1f %11.0f%%%n", size, phase, p.phase().imagesPerSecond(),
                p.phase().gflops(), p.ceilingGflops(), 100 * p.ratio());
        out.flush();
    }
}
