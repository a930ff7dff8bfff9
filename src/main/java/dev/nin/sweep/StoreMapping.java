package dev.nin.sweep;

import dev.nin.store.queue.PruningStore;
import dev.nin.store.queue.SweepStore;
import dev.nin.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Sweep files, plans and pruning rules as the store's own records. The store defines what it
 * persists and knows nothing of sweeps (so store/ does not import sweep/); this is the one place
 * that translates.
 */
public final class StoreMapping {

    private StoreMapping() {}

    /** The sweep as stored: {@code file} is where it was read, {@code content} its text byte for byte. */
    public static SweepStore.Definition definition(SweepFile sweep, String file, String content) {
        return new SweepStore.Definition(sweep.name(), sweep.description(), file, content, sweep.contentHash(),
                sweep.metric().column, sweep.strategy().value(), sweep.budget());
    }

    /**
     * Each planned trial with the network and config it will train, in plan order: what is stored
     * up front. None for TPE, whose trials are created when workers ask ({@link TpeSampler}).
     */
    public static List<SweepStore.QueuedTrial> trials(SweepFile sweep, List<PlannedTrial> plan) {
        if (sweep.strategy() == SweepFile.Strategy.TPE) {
            return List.of();
        }
        List<SweepStore.QueuedTrial> trials = new ArrayList<>(plan.size());
        for (PlannedTrial p : plan) {
            trials.add(trial(sweep, p.hyperparameters(), p.seed()));
        }
        return trials;
    }

    /** One trial of {@code sweep} with hyperparameters {@code h} and training seed {@code seed}. */
    static SweepStore.QueuedTrial trial(SweepFile sweep, Hyperparameters h, long seed) {
        TrainConfig config = h.toTrainConfig(seed, sweep.threads(), sweep.stall().rule());
        return new SweepStore.QueuedTrial(config.plan(sweep.model(h.variant())), config, sweep.data(), h.label());
    }

    /** A pruning rule as the store applies it under the sweep's lock: its name, whom it compares with, its decision. */
    public static PruningStore.Rule rule(Pruning pruning) {
        PruningStore.Competitors competitors = pruning instanceof Pruning.Asha
                ? PruningStore.Competitors.JUDGED_AT_THIS_EPOCH : PruningStore.Competitors.RECORDED_THIS_EPOCH;
        return new PruningStore.Rule(pruning.method(), competitors, pruning::promote);
    }
}
