package dev.nin.sweep;

import dev.nin.store.PruningStore;
import dev.nin.store.SweepStore;
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
                sweep.metric().column);
    }

    /** Each planned trial with the network and config it will train, in plan order. */
    public static List<SweepStore.QueuedTrial> trials(SweepFile sweep, List<PlannedTrial> plan) {
        List<SweepStore.QueuedTrial> trials = new ArrayList<>(plan.size());
        for (PlannedTrial p : plan) {
            TrainConfig config = p.hyperparameters().toTrainConfig(p.seed(), sweep.threads(), sweep.stall().rule());
            trials.add(new SweepStore.QueuedTrial(config.plan(sweep.model(p.hyperparameters().variant())), config, sweep.data(),
                    p.hyperparameters().label()));
        }
        return trials;
    }

    /** A pruning rule as the store applies it under the sweep's lock: its name, whom it compares with, its decision. */
    public static PruningStore.Rule rule(Pruning pruning) {
        PruningStore.Competitors competitors = pruning instanceof Pruning.Asha
                ? PruningStore.Competitors.JUDGED_AT_THIS_EPOCH : PruningStore.Competitors.RECORDED_THIS_EPOCH;
        return new PruningStore.Rule(pruning.method(), competitors, pruning::promote);
    }
}
