package dev.nin.sweep.tpe;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The tree-structured Parzen estimator (Bergstra et al. 2011, "Algorithms for hyper-parameter
 * optimization"; its components studied in Watanabe 2023, "Tree-structured Parzen estimator:
 * understanding its algorithm components and their roles"), multivariate: the history is ranked,
 * its best {@code gamma} fraction builds a density l(x) of good points and the rest a density
 * g(x) of bad ones ({@link ParzenEstimator}), and of {@code candidates} points drawn from l the
 * one with the largest l(x) / g(x) — the one expected improvement favours — is suggested.
 *
 * <p>Pure and deterministic: the same history, settings and random generator give the same
 * suggestion. Start-up trials (the first {@code startupTrials} asks) are the caller's: a sweep
 * draws them exactly as random search does, so that a dry run can list them.
 */
public final class Tpe {

    /**
     * How TPE suggests.
     *
     * @param startupTrials asks answered with random draws before the model guides: the history
     *        the first densities are built from
     * @param gamma the fraction of the ranked history taken as good: ceil(gamma × n) trials, at least one
     * @param candidates points drawn from l(x) and scored per suggestion
     */
    public record Settings(int startupTrials, double gamma, int candidates) {
        /** Optuna's and Hyperopt's default too: ten random points before the first model. */
        public static final int STARTUP_TRIALS_DEFAULT = 10;
        /** Watanabe 2023 finds 0.1 a robust choice at the budgets a sweep has (tens of trials). */
        public static final double GAMMA_DEFAULT = 0.10;
        /** Bergstra et al.'s 24: more candidates exploit harder, fewer explore more. */
        public static final int CANDIDATES_DEFAULT = 24;
        public static final int STARTUP_TRIALS_MAX = 10_000;
        public static final int CANDIDATES_MAX = 10_000;
        public static final Settings DEFAULT = new Settings(STARTUP_TRIALS_DEFAULT, GAMMA_DEFAULT, CANDIDATES_DEFAULT);

        public Settings {
            if (startupTrials < 1 || startupTrials > STARTUP_TRIALS_MAX) {
                throw new UsageException("startup_trials: expected 1 to " + STARTUP_TRIALS_MAX + ", found " + startupTrials);
            }
            if (!(gamma > 0 && gamma < 1)) {
                throw new UsageException("gamma: expected a fraction strictly between 0 and 1, found " + gamma);
            }
            if (candidates < 1 || candidates > CANDIDATES_MAX) {
                throw new UsageException("candidates: expected 1 to " + CANDIDATES_MAX + ", found " + candidates);
            }
        }

        /** How many of {@code finished} ranked trials count as good. */
        public int good(int finished) {
            return Math.max(1, (int) Math.ceil(gamma * finished));
        }
    }

    /** Whether a suggestion came from the start-up draws or from the model. */
    public enum Phase {
        STARTUP("start-up"), MODEL("model-guided");

        /** As stored and tagged. */
        public final String value;

        Phase(String value) {
            this.value = value;
        }
    }

    /** What an observation was to a suggestion. */
    public enum Role {
        /** In l(x): among the best ceil(gamma × n) finished trials. */
        GOOD,
        /** In g(x): the rest of the finished trials. */
        BAD,
        /** In g(x) as the worst outcome (constant liar): still running when the suggestion was made. */
        PENDING
    }

    /** One observation's part in a suggestion: what is recorded with it. */
    public record Used(Observation observation, Role role) {}

    /**
     * A suggestion and what it was computed from.
     *
     * @param point the suggested point, one value per dimension
     * @param history every observation in the order ranked, with its role; empty for a start-up draw
     * @param score log l(x) - log g(x) of the point; NaN for a start-up draw
     */
    public record Suggestion(double[] point, Phase phase, List<Used> history, double score) {
        public Suggestion {
            point = point.clone();
            history = List.copyOf(history);
        }

        @Override
        public double[] point() {
            return point.clone();
        }
    }

    private final List<Dimension> dimensions;
    private final Settings settings;
    private final boolean higherIsBetter;

    /**
     * @param higherIsBetter true for a metric like accuracy, false for a loss
     */
    public Tpe(List<Dimension> dimensions, Settings settings, boolean higherIsBetter) {
        if (dimensions.isEmpty()) {
            throw new IllegalArgumentException("TPE needs at least one dimension to search");
        }
        this.dimensions = List.copyOf(dimensions);
        this.settings = settings;
        this.higherIsBetter = higherIsBetter;
    }

    public Settings settings() {
        return settings;
    }

    /** Whether the ask with 0-based index {@code askIndex} is a start-up draw. */
    public boolean isStartup(int askIndex) {
        return askIndex < settings.startupTrials();
    }

    /**
     * The model-guided suggestion from {@code history} (finished and pending trials). With no trial
     * that learned anything yet (every earlier one still running, diverged or stalled) there is
     * nothing to model: the suggestion is then a uniform draw, marked start-up.
     */
    public Suggestion suggest(List<Observation> history, RandomGenerator random) {
        return suggest(history, random, x -> true);
    }

    /**
     * As {@link #suggest(List, RandomGenerator)}, preferring candidates {@code fresh} accepts: the
     * best-scoring fresh candidate wins, and only when none of them is fresh the best of all. A
     * sweep passes "not a configuration already tried", so that rounding and choice axes do not make
     * it train the same configuration twice.
     */
    public Suggestion suggest(List<Observation> history, RandomGenerator random, java.util.function.Predicate<double[]> fresh) {
        List<Observation> ranked = new ArrayList<>(history);
        ranked.sort(ranking());
        int finished = (int) ranked.stream().filter(o -> o.outcome() != Observation.Outcome.PENDING).count();
        boolean learned = ranked.stream().anyMatch(o -> o.outcome() == Observation.Outcome.COMPLETED
                || o.outcome() == Observation.Outcome.PRUNED);
        if (!learned) {
            return new Suggestion(uniform(random), Phase.STARTUP, List.of(), Double.NaN);
        }
        int good = Math.min(settings.good(finished), finished);
        List<double[]> goodPoints = new ArrayList<>();
        List<double[]> badPoints = new ArrayList<>();
        List<Used> used = new ArrayList<>();
        for (int i = 0; i < ranked.size(); i++) {
            Observation o = ranked.get(i);
            Role role = o.outcome() == Observation.Outcome.PENDING ? Role.PENDING : i < good ? Role.GOOD : Role.BAD;
            (role == Role.GOOD ? goodPoints : badPoints).add(o.point());
            used.add(new Used(o, role));
        }
        ParzenEstimator l = new ParzenEstimator(dimensions, goodPoints);
        ParzenEstimator g = new ParzenEstimator(dimensions, badPoints);
        double[] best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        boolean bestFresh = false;
        for (int c = 0; c < settings.candidates(); c++) {
            double[] x = l.sample(random);
            double score = l.logDensity(x) - g.logDensity(x);
            boolean isFresh = fresh.test(x);
            if (best == null || (isFresh && !bestFresh) || (isFresh == bestFresh && score > bestScore)) {
                best = x;
                bestScore = score;
                bestFresh = isFresh;
            }
        }
        return new Suggestion(best, Phase.MODEL, used, bestScore);
    }

    /** A point drawn uniformly from the space (log-uniformly on a log scale). */
    public double[] uniform(RandomGenerator random) {
        double[] x = new double[dimensions.size()];
        for (int j = 0; j < x.length; j++) {
            Dimension dim = dimensions.get(j);
            if (dim instanceof Dimension.Choice c) {
                x[j] = random.nextInt(c.choices());
            } else if (dim instanceof Dimension.Int i) {
                x[j] = i.low() + random.nextLong(i.high() - i.low() + 1);
            } else {
                Dimension.Real r = (Dimension.Real) dim;
                x[j] = r.log() ? Math.exp(Math.log(r.low()) + (Math.log(r.high()) - Math.log(r.low())) * random.nextDouble())
                        : r.low() + (r.high() - r.low()) * random.nextDouble();
            }
        }
        return x;
    }

    /**
     * Best first: completed trials by value, then pruned ones by the rung they reached (higher first)
     * and their value there, then those that failed to learn, then pending ones; ties by id, so the
     * order never depends on how the history was listed.
     */
    Comparator<Observation> ranking() {
        Comparator<Double> byValue = higherIsBetter ? Comparator.<Double>reverseOrder() : Comparator.<Double>naturalOrder();
        return Comparator.comparing(Observation::outcome)
                .thenComparing(Observation::rung, Comparator.reverseOrder())
                .thenComparing(o -> Double.isNaN(o.value()) ? 1 : 0)
                .thenComparing(o -> Double.isNaN(o.value()) ? 0.0 : o.value(), byValue)
                .thenComparingLong(Observation::id);
    }
}
