package dev.nin.sweep;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Turns a sweep file into its list of trials, deterministically: the same file always plans the
 * same trials in the same order. Grid: every combination of the axes in file order (the last axis
 * varies fastest). Random: {@code budget} configurations drawn with the sampler seed. TPE: its
 * start-up draws only, the first {@code tpe.startup_trials} of random search's draws; the rest of
 * its budget is decided when workers ask ({@link TpeSampler}). Each
 * configuration runs once per seed; all configurations run with the first seed before any runs
 * with the second, so a first pass over the whole space comes early.
 */
public final class SweepPlanner {

    /**
     * The most trials a sweep plans unless {@code sweep --plan-limit} raises it. Every planned trial
     * is stored in one transaction with its resolved config (about 2.5 KB of JSON), and at 100,000
     * the configs alone take about 270 MB of nin's 1 GiB heap; 10,000 trials are days of work even
     * at the smallest shipped trial size, so a plan above it is almost always a mistake in the axes.
     */
    public static final long DEFAULT_MAX_TRIALS = 10_000;

    private SweepPlanner() {}

    /** Plans {@code sweep}, refusing plans above {@link #DEFAULT_MAX_TRIALS}. */
    public static List<PlannedTrial> plan(SweepFile sweep) {
        return plan(sweep, DEFAULT_MAX_TRIALS, sweep.name());
    }

    /**
     * Plans {@code sweep} after counting its trials from the file alone, so a plan of 10^8 trials
     * is refused in microseconds instead of filling the heap.
     *
     * @param maxTrials the limit ({@code --plan-limit})
     * @param file what to name in the error, the file as the user gave it
     * @throws IllegalArgumentException above the limit, with the count and the flag that raises it
     */
    public static List<PlannedTrial> plan(SweepFile sweep, long maxTrials, String file) {
        long count = count(sweep);
        if (count > maxTrials) {
            throw new UsageException(String.format(Locale.ROOT,
                    "%s: plans %s trials (%s), above the limit of %,d; narrow the axes or draw a budget with strategy: random,"
                            + " or raise the limit with --plan-limit %d",
                    file, count == Long.MAX_VALUE ? "more than 9.2e18" : String.format(Locale.ROOT, "%,d", count),
                    breakdown(sweep), maxTrials, count));
        }
        return build(sweep);
    }

    /** How many trials {@code sweep} plans, without building them; {@link Long#MAX_VALUE} when that overflows. */
    public static long count(SweepFile sweep) {
        try {
            return Math.multiplyExact(configurations(sweep), (long) sweep.seeds().size());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static long configurations(SweepFile sweep) {
        if (sweep.strategy() != SweepFile.Strategy.GRID) {
            return sweep.budget();
        }
        long product = 1;
        for (Axis axis : sweep.axes()) {
            product = Math.multiplyExact(product, (long) ((Axis.Values) axis).values().size());
        }
        return product;
    }

    /** e.g. {@code 10 x 10 x 3 configurations x 2 seeds}, or {@code budget 20 x 3 seeds}. */
    private static String breakdown(SweepFile sweep) {
        int seeds = sweep.seeds().size();
        String perSeed;
        if (sweep.strategy() != SweepFile.Strategy.GRID) {
            perSeed = "budget " + sweep.budget();
        } else {
            List<String> sizes = new ArrayList<>();
            for (Axis axis : sweep.axes()) {
                sizes.add(Integer.toString(((Axis.Values) axis).values().size()));
            }
            perSeed = (sizes.isEmpty() ? "1" : String.join(" x ", sizes)) + " configurations";
        }
        return perSeed + " x " + seeds + (seeds == 1 ? " seed" : " seeds");
    }

    private static List<PlannedTrial> build(SweepFile sweep) {
        List<Hyperparameters> configurations = switch (sweep.strategy()) {
            case GRID -> grid(sweep);
            case RANDOM -> random(sweep, sweep.budget());
            case TPE -> random(sweep, sweep.tpe().startupTrials());
        };
        List<PlannedTrial> trials = new ArrayList<>();
        for (long seed : sweep.seeds()) {
            for (Hyperparameters configuration : configurations) {
                trials.add(new PlannedTrial(trials.size(), configuration, seed));
            }
        }
        return trials;
    }

    private static List<Hyperparameters> grid(SweepFile sweep) {
        List<Hyperparameters> out = new ArrayList<>(List.of(sweep.base()));
        for (Axis axis : sweep.axes()) {
            List<Object> values = ((Axis.Values) axis).values();
            List<Hyperparameters> next = new ArrayList<>();
            for (Hyperparameters h : out) {
                for (Object value : values) {
                    next.add(h.with(axis.key(), value));
                }
            }
            out = next;
        }
        return out;
    }

    /**
     * The start-up draw a TPE sweep's ask number {@code askIndex} (0-based, below its start-up
     * trials) gets: random search's draw of that index, so a dry run lists exactly what workers ask.
     */
    static Hyperparameters startupDraw(SweepFile sweep, int askIndex) {
        return random(sweep, askIndex + 1).get(askIndex);
    }

    /** The first {@code count} draws of random search with the sweep's sampler seed. */
    private static List<Hyperparameters> random(SweepFile sweep, int count) {
        SplittableRandom random = new SplittableRandom(sweep.samplerSeed());
        List<Hyperparameters> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Hyperparameters h = sweep.base();
            for (Axis axis : sweep.axes()) {
                Object value;
                if (axis instanceof Axis.Values v) {
                    value = v.values().get(random.nextInt(v.values().size()));
                } else {
                    value = ((Axis.Range) axis).sample(random);
                }
                h = h.with(axis.key(), value);
            }
            out.add(h);
        }
        return out;
    }
}
