package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.app.NinServices;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.Variants;
import dev.nin.train.Benchmark;
import dev.nin.train.PrecisionChoice;
import dev.nin.train.PrecisionProbe;
import dev.nin.engine.TensorFlowRuntime;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin bench}: training and inference speed against the machine's measured convolution ceiling. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and inference images/s and achieved GFLOP/s against the convolution "
                + "ceiling, timed in turns with them. Prints figures; compares nothing to a threshold. "
                + "'bench claims' measures how fast the store hands trials to workers instead; 'bench sampler' how"
                + " well TPE searches.",
        subcommands = {ClaimBenchCommand.class, SamplerBenchCommand.class})
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

    @Option(names = "--precision", defaultValue = "fp32", split = ",", paramLabel = "fp32|bf16|fp16|auto",
            description = "Precisions to measure, comma-separated; fp32 is always measured too, first, so each row can be "
                    + "read against it (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--xla", description = "Let XLA's JIT compile the graphs (a lever to weigh; training does not use it).")
    boolean xla;

    @Option(names = "--trials", defaultValue = "0", paramLabel = "N",
            description = "Also run N short trainings in a row, as a sweep's trials, and print the process memory after each "
                    + "(default: ${DEFAULT-VALUE}).")
    int trials;

    @Option(names = "--profile", description = "Instead of the speed table, trace --steps training steps of each precision"
            + " with TensorFlow's step statistics and print the kernel time of each op type, largest first.")
    boolean profile;

    @Override
    protected ExitCode execute() {
        ModelSpec model = Variants.named(variant);
        if (batch < 1 || steps < 1 || warmup < 0 || rounds < 1) {
            throw new UsageException("batch, steps and rounds: expected 1 or more, warmup 0 or more; found batch "
                    + batch + ", steps " + steps + ", rounds " + rounds + ", warmup " + warmup);
        }
        resizes.forEach(size -> NetworkPlan.of(model, size));
        List<PrecisionChoice.Request> requests = precisions.stream().map(BenchCommand::parsePrecision).toList();
        PrintWriter out = out();
        RuntimeInfo runtime = services.tensorflow(DeviceRequest.parse(device), line -> out.println("note: " + line));
        List<ComputePrecision> measured = new ArrayList<>(List.of(ComputePrecision.FP32));
        out.printf(Locale.ROOT, "nin bench: %s, batch %d, %d timed steps after %d warm-up, on %s (TensorFlow %s, oneDNN %s,"
                        + " threads %s, XLA %s)%n", variant, batch, steps, warmup, runtime.device(), runtime.tensorflowVersion(),
                runtime.oneDnn() ? "on " + TensorFlowRuntime.ONEDNN_VERSION : "off",
                threads == 0 ? "all cores" : Integer.toString(threads), xla ? "on" : "off");
        out.printf(Locale.ROOT, "processor: %s%n", runtime.processor());
        out.flush();
        PrecisionProbe probe = new PrecisionProbe(services.home(), runtime, threads, line -> out.println("note: " + line));
        for (PrecisionChoice.Request request : requests) {
            for (int size : request == PrecisionChoice.Request.AUTO ? resizes : resizes.subList(0, 1)) {
                PrecisionChoice choice = probe.choose(request, model, size, batch);
                choice.notice().ifPresent(line -> out.println("note: " + line));
                if (request == PrecisionChoice.Request.AUTO) {
                    out.printf("precision auto at %d px: %s (%s)%n", size, choice.precision().key(), choice.reason());
                }
                if (!measured.contains(choice.precision())) {
                    measured.add(choice.precision());
                }
            }
        }
        out.flush();
        Benchmark bench = new Benchmark(runtime, threads, xla);
        if (profile) {
            for (int size : resizes) {
                for (ComputePrecision precision : measured) {
                    printProfile(out, size, precision, bench.profile(model, size, batch, warmup, steps, precision));
                }
            }
            return ExitCode.OK;
        }
        // This machine's speed drifts by a third within minutes (shared cores), so each figure is
        // read against the ceiling timed in turns with its own steps.
        out.printf(Locale.ROOT, "ceiling: a 5x5 conv 96->256 at 26x26, batch %d, in the row's precision, timed in turns with"
                + " each phase's steps%n", batch);
        out.printf(Locale.ROOT, "%-8s %-9s %-10s %10s %10s %10s %11s %8s%n", "resize", "precision", "phase", "img/s", "GFLOP/s",
                "ceiling", "of ceiling", "vs fp32");
        out.flush();
        for (int size : resizes) {
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            Map<String, List<Double>> speedups = new LinkedHashMap<>();
            double trainImagesPerSecond = 0;
            for (int round = 0; round < rounds; round++) {
                // Precisions in turns within a round, so drift hits them alike.
                Map<Benchmark.Phase, Double> fp32 = new java.util.EnumMap<>(Benchmark.Phase.class);
                for (ComputePrecision precision : measured) {
                    for (Benchmark.Phase phase : Benchmark.Phase.values()) {
                        Benchmark.Paired p = bench.paired(model, size, batch, warmup, steps, phase, precision);
                        double rate = p.phase().imagesPerSecond();
                        if (precision == ComputePrecision.FP32) {
                            fp32.put(phase, rate);
                        }
                        double speedup = rate / fp32.get(phase);
                        row(out, size, precision, phase, p, precision == ComputePrecision.FP32 ? Double.NaN : speedup);
                        String key = precision.key() + " " + phaseName(phase);
                        ratios.computeIfAbsent(key, k -> new ArrayList<>()).add(p.ratio());
                        speedups.computeIfAbsent(key, k -> new ArrayList<>()).add(speedup);
                        if (precision == ComputePrecision.FP32 && phase == Benchmark.Phase.TRAINING) {
                            trainImagesPerSecond = rate;
                        }
                    }
                }
            }
            if (rounds > 1) {
                ratios.forEach((key, values) -> spread(out, size, key, values, speedups.get(key), !key.startsWith("fp32")));
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

    /**
     * The median and range of one phase's ratios over the rounds (single runs drift too much to
     * compare levers), and of its speed over fp32's in the same round.
     */
    private static void spread(PrintWriter out, int size, String what, List<Double> ratios, List<Double> speedups,
            boolean withSpeedup) {
        List<Double> sorted = ratios.stream().sorted().toList();
        int n = sorted.size();
        out.printf(Locale.ROOT, "%-8d %-15s of the ceiling over %d rounds: median %.1f%%, range %.0f-%.0f%%", size, what, n,
                100 * median(sorted), 100 * sorted.get(0), 100 * sorted.get(n - 1));
        if (withSpeedup) {
            List<Double> s = speedups.stream().sorted().toList();
            out.printf(Locale.ROOT, "; vs fp32: median %.2fx, range %.2f-%.2fx", median(s), s.get(0), s.get(n - 1));
        }
        out.println();
        out.flush();
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One {@code --precision} value, refused with the flag's name. */
    private static PrecisionChoice.Request parsePrecision(String text) {
        try {
            return PrecisionChoice.Request.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage(), e);
        }
    }

    /** The op types that take 99% of the traced time; the rest on one line. */
    private static void printProfile(PrintWriter out, int size, ComputePrecision precision, dev.nin.train.OpProfile profile) {
        long total = profile.totalMicros();
        out.printf(Locale.ROOT, "profile: %d px, %s training, kernel time summed over %d traced steps: %.1f ms per step%n", size,
                precision.key(), profile.steps(), total / 1e3 / profile.steps());
        out.printf(Locale.ROOT, "%-40s %8s %12s %7s%n", "op type", "per step", "ms per step", "share");
        long shown = 0;
        int rest = 0;
        for (dev.nin.train.OpProfile.Row row : profile.rows()) {
            if (shown >= 0.99 * total) {
                rest++;
                continue;
            }
            shown += row.micros();
            out.printf(Locale.ROOT, "%-40s %8.0f %12.2f %6.1f%%%n", row.opType(), (double) row.executions() / profile.steps(),
                    row.micros() / 1e3 / profile.steps(), 100.0 * row.micros() / Math.max(1, total));
        }
        if (rest > 0) {
            out.printf(Locale.ROOT, "%d more op types: %.2f ms per step%n", rest, (total - shown) / 1e3 / profile.steps());
        }
        out.flush();
    }

    private static String phaseName(Benchmark.Phase phase) {
        return phase == Benchmark.Phase.TRAINING ? "training" : "inference";
    }

    private static void row(PrintWriter out, int size, ComputePrecision precision, Benchmark.Phase phase, Benchmark.Paired p,
            double speedup) {
        out.printf(Locale.ROOT, "%-8d %-9s %-10s %10.1f %10.1f %10.1f %10.0f%% %8s%n", size, precision.key(), phaseName(phase),
                p.phase().imagesPerSecond(), p.phase().gflops(), p.ceilingGflops(), 100 * p.ratio(),
                Double.isNaN(speedup) ? "" : String.format(Locale.ROOT, "%.2fx", speedup));
        out.flush();
    }
}
