package dev.nin.sweep.tpe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random search against nin's TPE on a synthetic objective: for each seed, {@code evaluations}
 * sequential evaluations (one worker), and the best value found after each. Deterministic for the
 * seeds given. Start-up draws and random search's draws come from the same generator per seed, so
 * the two samplers see the same first {@code startupTrials} points and differ only after.
 */
public final class SamplerBenchmark {

    /** Which sampler. */
    public enum Sampler {
        RANDOM("random"), TPE("nin-tpe");

        public final String label;

        Sampler(String label) {
            this.label = label;
        }
    }

    /**
     * The median and quartiles over seeds of the best value found after {@code evaluations}
     * (linear interpolation between order statistics, as numpy.percentile does).
     */
    public record Figures(Objective objective, Sampler sampler, int evaluations, double median, double q25, double q75, int seeds) {}

    private final Tpe.Settings settings;

    public SamplerBenchmark(Tpe.Settings settings) {
        this.settings = settings;
    }

    /**
     * Best noise-free value found after each evaluation, 1..evaluations, for one seed. With noise,
     * "found" is the point whose noisy value was lowest so far, judged by its noise-free value.
     */
    public double[] run(Objective objective, Sampler sampler, long seed, int evaluations) {
        Tpe tpe = new Tpe(objective.space(), settings, false);
        SplittableRandom draws = new SplittableRandom(seed);
        SplittableRandom noise = new SplittableRandom(seed ^ 0x5DEECE66DL);
        List<Observation> history = new ArrayList<>();
        double[] best = new double[evaluations];
        double bestSeen = Double.POSITIVE_INFINITY;
        double bestTrue = Double.POSITIVE_INFINITY;
        for (int i = 0; i < evaluations; i++) {
            double[] x = sampler == Sampler.RANDOM || tpe.isStartup(i) ? tpe.uniform(draws)
                    : tpe.suggest(history, new SplittableRandom(seed * 1_000_003L + i)).point();
            double exact = objective.at(x);
            double seen = exact + (objective.noise() > 0 ? objective.noise() * noise.nextGaussian() : 0);
            history.add(new Observation(i, x, Observation.Outcome.COMPLETED, 0, seen));
            if (seen < bestSeen) {
                bestSeen = seen;
                bestTrue = exact;
            }
            best[i] = bestTrue;
        }
        return best;
    }

    /** Figures over {@code seeds} seeds (0..seeds-1) after each of {@code checkpoints} evaluations. */
    public List<Figures> figures(Objective objective, Sampler sampler, int seeds, int[] checkpoints) {
        int evaluations = Arrays.stream(checkpoints).max().orElse(0);
        double[][] runs = new double[seeds][];
        for (int s = 0; s < seeds; s++) {
            runs[s] = run(objective, sampler, s, evaluations);
        }
        List<Figures> out = new ArrayList<>();
        for (int n : checkpoints) {
            double[] at = new double[seeds];
            for (int s = 0; s < seeds; s++) {
                at[s] = runs[s][n - 1];
            }
            Arrays.sort(at);
            out.add(new Figures(objective, sampler, n, percentile(at, 50), percentile(at, 25), percentile(at, 75), seeds));
        }
        return out;
    }

    /** The p-th percentile of sorted values, interpolating linearly (numpy's default). */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = Math.min(sorted.length - 1, low + 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }
}
