package dev.nin.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a sweep file into its list of trials, deterministically: the same file always plans the
 * same trials in the same order. Grid: every combination of the axes in file order (the last axis
 * varies fastest). Random: {@code budget} configurations drawn with the sampler seed. Each
 * configuration runs once per seed; all configurations run with the first seed before any runs
 * with the second, so a first pass over the whole space comes early.
 */
public final class SweepPlanner {

    private SweepPlanner() {}

    public static List<PlannedTrial> plan(SweepFile sweep) {
        List<Hyperparameters> configurations = sweep.strategy() == SweepFile.Strategy.GRID ? grid(sweep) : random(sweep);
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

    private static List<Hyperparameters> random(SweepFile sweep) {
        SplittableRandom random = new SplittableRandom(sweep.samplerSeed());
        List<Hyperparameters> out = new ArrayList<>();
        for (int i = 0; i < sweep.budget(); i++) {
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
