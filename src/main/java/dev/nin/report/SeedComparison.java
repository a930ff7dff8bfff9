package dev.nin.report;

import dev.nin.config.UsageException;
import dev.nin.store.query.SeedStatisticsQuery.Difference;
import dev.nin.store.query.SeedStatisticsQuery.Summary;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Differences between configurations over seeds, as the leaderboard and the report show them: Welch's
 * 95% t interval (computed by the store, migration V6) for a few seeds, a percentile bootstrap of the
 * difference of means once both sides have {@link #BOOTSTRAP_MIN_SEEDS} or more, and "within noise"
 * when the interval holds 0.
 */
public final class SeedComparison {

    /** Seeds each side needs before the bootstrap replaces Welch's interval: fewer resample too coarsely. */
    public static final int BOOTSTRAP_MIN_SEEDS = 10;

    /** Bootstrap resamples per difference. */
    public static final int BOOTSTRAP_RESAMPLES_DEFAULT = 10_000;

    /** The bootstrap's seed, so a report shows the same interval every time it is written. */
    public static final long BOOTSTRAP_SEED_DEFAULT = 18L;

    /** How an interval was computed. */
    public enum Method {
        WELCH("Welch t"), BOOTSTRAP("bootstrap");

        public final String label;

        Method(String label) {
            this.label = label;
        }
    }

    /** A 95% interval of (configuration's mean − baseline's mean), with the seeds each side had. */
    public record Interval(String configuration, String baseline, long n, long baselineN, double difference, double low,
            double high, Method method) {

        /** Whether the data cannot tell the two apart: the interval holds 0. */
        public boolean withinNoise() {
            return low <= 0 && high >= 0;
        }

        /** "within noise", else "better" or "worse" than the baseline (higher accuracy is better). */
        public String verdict() {
            return withinNoise() ? "within noise" : difference > 0 ? "better" : "worse";
        }
    }

    private SeedComparison() {}

    /**
     * The store's Welch intervals, with each one whose sides both have {@link #BOOTSTRAP_MIN_SEEDS}
     * or more seeds replaced by a bootstrap interval over {@code values} (configuration → its values).
     */
    public static List<Interval> intervals(List<Difference> welch, Map<String, double[]> values, long seed, int resamples) {
        List<Interval> out = new ArrayList<>();
        for (Difference d : welch) {
            double[] a = values.get(d.configuration());
            double[] b = values.get(d.baseline());
            if (d.n() >= BOOTSTRAP_MIN_SEEDS && d.baselineN() >= BOOTSTRAP_MIN_SEEDS && a != null && b != null) {
                double[] interval = bootstrap(a, b, new SplittableRandom(seed), resamples);
                out.add(new Interval(d.configuration(), d.baseline(), a.length, b.length, mean(a) - mean(b), interval[0],
                        interval[1], Method.BOOTSTRAP));
            } else {
                out.add(new Interval(d.configuration(), d.baseline(), d.n(), d.baselineN(), d.difference(), d.low(), d.high(),
                        Method.WELCH));
            }
        }
        return out;
    }

    /**
     * The percentile bootstrap's 95% interval of mean(a) − mean(b): each side resampled with
     * replacement {@code resamples} times, the 2.5% and 97.5% quantiles of the differences (linear
     * between order statistics).
     *
     * @return {low, high}
     */
    public static double[] bootstrap(double[] a, double[] b, SplittableRandom random, int resamples) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("bootstrap: expected values on both sides, found " + a.length + " and " + b.length);
        }
        if (resamples < 2) {
            throw new IllegalArgumentException("bootstrap: expected 2 or more resamples, found " + resamples);
        }
        double[] differences = new double[resamples];
        for (int k = 0; k < resamples; k++) {
            differences[k] = resampledMean(a, random) - resampledMean(b, random);
        }
        Arrays.sort(differences);
        return new double[] {quantile(differences, 0.025), quantile(differences, 0.975)};
    }

    /**
     * The baseline: {@code named}, checked against the configurations that have ended trials, or when
     * none is named, {@code first} (the sweep's first planned trial's), or the first summary's.
     */
    public static String baseline(String named, java.util.Optional<String> first, String sweep, List<Summary> summaries) {
        if (named == null) {
            return first.orElse(summaries.isEmpty() ? null : summaries.get(0).configuration());
        }
        if (summaries.stream().noneMatch(s -> s.configuration().equals(named))) {
            throw new UsageException("--baseline: no ended trial of sweep " + sweep + " has the configuration '"
                    + named + "'; expected one of: "
                    + String.join(", ", summaries.stream().map(Summary::configuration).toList()));
        }
        return named;
    }

    /** "2 of 5 stuck", or "none stuck". */
    public static String stuckNote(Summary s) {
        return s.stuck() == 0 ? "none stuck" : String.format(Locale.ROOT, "%d of %d stuck", s.stuck(), s.trials());
    }

    private static double resampledMean(double[] values, SplittableRandom random) {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[random.nextInt(values.length)];
        }
        return sum / values.length;
    }

    /** Type-7 quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int below = (int) Math.floor(h);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }
}
