package dev.nin.sweep;

import dev.nin.config.Metric;
import dev.nin.config.UsageException;
import dev.nin.model.ModelSpec;
import dev.nin.model.Variants;
import java.util.Map;
import dev.nin.train.StallRule;

import dev.nin.data.DataOptions;

import java.util.List;

import dev.nin.sweep.tpe.Tpe;

/**
 * A parsed, validated sweep file.
 *
 * @param name identifies the sweep in the store, MLflow and reports ([a-z0-9][a-z0-9._-]*)
 * @param description free text
 * @param base hyperparameters every trial starts from
 * @param data which images trials train, validate and test on
 * @param axes what varies, in file order
 * @param seeds training seeds; every configuration runs once per seed
 * @param strategy grid (every combination), random (budget samples) or tpe (budget trials, each
 *        decided when a worker asks, from the trials before it)
 * @param budget configurations random search draws or TPE tries, start-up draws included (0 for grid)
 * @param samplerSeed seeds random search and TPE, so the same file plans the same trials (TPE: with one worker)
 * @param tpe TPE's settings under strategy tpe, else null
 * @param metric what the leaderboard ranks by
 * @param device auto, cpu or gpu
 * @param threads TensorFlow CPU threads (0 = all cores)
 * @param contentHash SHA-256 of the file's bytes: same name and hash is the same sweep
 * @param models variants the file defines under {@code models:} (built-in variants with blocks overridden), by name
 * @param stall when a trial counts as stuck on the loss plateau, and whether to retry it with the next seed
 * @param pruning how unpromising trials are stopped early
 */
public record SweepFile(String name, String description, Hyperparameters base, DataOptions data, List<Axis> axes,
        List<Long> seeds, Strategy strategy, int budget, long samplerSeed, Tpe.Settings tpe, Metric metric, String device, int threads,
        String contentHash, Map<String, ModelSpec> models, Stall stall, Pruning pruning) {

    /**
     * @param rule what counts as stalled
     * @param retryWithNextSeed queue the same configuration again with the next unused seed
     * @param maxRetries how many times one configuration is retried that way
     */
    public record Stall(StallRule rule, boolean retryWithNextSeed, int maxRetries) {
        public static final int DEFAULT_MAX_RETRIES = 2;
        public static final Stall OFF = new Stall(StallRule.OFF, false, DEFAULT_MAX_RETRIES);
    }

    public enum Strategy {
        GRID, RANDOM, TPE;

        /** As written in sweep files and stored. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public SweepFile {
        axes = List.copyOf(axes);
        seeds = List.copyOf(seeds);
        models = Map.copyOf(models);
        stall = stall == null ? Stall.OFF : stall;
        pruning = pruning == null ? Pruning.NONE : pruning;
        if ((strategy == Strategy.TPE) != (tpe != null)) {
            throw new UsageException("tpe settings: expected them exactly when strategy is tpe, found strategy "
                    + strategy.value() + (tpe == null ? " without" : " with") + " them");
        }
        if (strategy == Strategy.TPE && (seeds.size() != 1 || tpe.startupTrials() >= budget || axes.isEmpty())) {
            throw new UsageException("tpe: expected one seed, at least one axis and fewer start-up trials than the budget of "
                    + budget + ", found " + seeds.size() + " seeds, " + axes.size() + " axes, " + tpe.startupTrials() + " start-up trials");
        }
    }

    /** The architecture a trial of this sweep uses: one the file defines, else a built-in variant. */
    public ModelSpec model(String variant) {
        ModelSpec own = models.get(variant);
        return own != null ? own : Variants.named(variant);
    }
}
