package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.sweep.tpe.Objective;
import dev.nin.sweep.tpe.SamplerBenchmark;
import dev.nin.sweep.tpe.Tpe;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin bench sampler}: nin's TPE against random search on standard synthetic objectives (issue 17). */
@Command(name = "sampler", mixinStandardHelpOptions = true,
        description = "Median and quartiles over seeds of the best value found after N evaluations, for random search "
                + "and nin's TPE, on Branin, Hartmann-6 and Branin with N(0,1) noise (minimisation). Prints the TSV that "
                + "bench/peers/run-optuna.sh prints for Optuna's TPESampler, so the two can be set side by side. "
                + "Needs no store and no TensorFlow.")
public class SamplerBenchCommand extends NinSubcommand {

    static final String EVALUATIONS_AT = "10,20,30,50";

    @Option(names = "--seeds", defaultValue = "20", paramLabel = "S",
            description = "Seeds 0..S-1, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--evaluations", defaultValue = EVALUATIONS_AT, split = ",", paramLabel = "N",
            description = "After how many evaluations to report, comma-separated, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    List<Integer> evaluations;

    @Option(names = "--objectives", defaultValue = "branin,hartmann6,noisy-branin", split = ",", paramLabel = "NAME",
            description = "Objectives to run (default: ${DEFAULT-VALUE}).")
    List<String> objectives;

    @Option(names = "--startup-trials", defaultValue = "" + Tpe.Settings.STARTUP_TRIALS_DEFAULT, paramLabel = "N",
            description = "TPE's random start-up evaluations (default: ${DEFAULT-VALUE}, as Optuna's).")
    int startupTrials;

    @Option(names = "--gamma", defaultValue = "" + Tpe.Settings.GAMMA_DEFAULT, paramLabel = "F",
            description = "TPE's good fraction (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--candidates", defaultValue = "" + Tpe.Settings.CANDIDATES_DEFAULT, paramLabel = "N",
            description = "TPE's candidates per suggestion (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Override
    protected ExitCode execute() {
        if (seeds < 1 || seeds > 10_000) {
            throw new UsageException("--seeds: expected 1 to 10000, found " + seeds);
        }
        int[] at = evaluations.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        if (at.length == 0 || at[0] < 1 || at[at.length - 1] > 10_000) {
            throw new UsageException("--evaluations: expected counts from 1 to 10000, found " + evaluations);
        }
        List<Objective> chosen = new ArrayList<>();
        for (String name : objectives) {
            try {
                chosen.add(Objective.named(name));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--objectives: " + e.getMessage().replaceFirst("^objective: ", ""));
            }
        }
        Tpe.Settings settings;
        try {
            settings = new Tpe.Settings(startupTrials, gamma, candidates);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + e.getMessage().replaceFirst("_", "-").replaceFirst("_", "-"));
        }
        PrintWriter out = out();
        out.printf(Locale.ROOT, "# nin bench sampler: seeds 0..%d, evaluations %d, tpe startup_trials %d gamma %s candidates %d%n",
                seeds - 1, at[at.length - 1], settings.startupTrials(), settings.gamma(), settings.candidates());
        out.println("# best found after n evaluations over seeds: median, q25, q75 (linear interpolation, as numpy.percentile)");
        out.println("objective\tsampler\tn\tmedian\tq25\tq75\tseeds");
        SamplerBenchmark bench = new SamplerBenchmark(settings);
        for (Objective objective : chosen) {
            for (SamplerBenchmark.Sampler sampler : SamplerBenchmark.Sampler.values()) {
                for (SamplerBenchmark.Figures f : bench.figures(objective, sampler, seeds, at)) {
                    out.printf(Locale.ROOT, "%s\t%s\t%d\t%.6f\t%.6f\t%.6f\t%d%n", objective.name(), sampler.label,
                            f.evaluations(), f.median(), f.q25(), f.q75(), f.seeds());
                }
                out.flush();
            }
        }
        return ExitCode.OK;
    }
}
