package dev.nin.sweep;

import dev.nin.data.DataOptions;

import java.util.List;

/**
 * A parsed, validated sweep file.
 *
 * @param name identifies the sweep in the store, MLflow and reports ([a-z0-9][a-z0-9._-]*)
 * @param description free text
 * @param base hyperparameters every trial starts from
 * @param data which images trials train, validate and test on
 * @param axes what varies, in file order
 * @param seeds training seeds; every configuration runs once per seed
 * @param strategy grid (every combination) or random (budget samples)
 * @param budget configurations random search draws (0 for grid)
 * @param samplerSeed seeds random search, so the same file plans the same trials
 * @param metric what the leaderboard ranks by
 * @param device auto, cpu or gpu
 * @param threads TensorFlow CPU threads (0 = all cores)
 * @param contentHash SHA-256 of the file's bytes: same name and hash is the same sweep
 */
public record SweepFile(String name, String description, Hyperparameters base, DataOptions data, List<Axis> axes,
        List<Long> seeds, Strategy strategy, int budget, long samplerSeed, Metric metric, String device, int threads,
        String contentHash) {

    public enum Strategy { GRID, RANDOM }

    /** What a sweep ranks trials by (a column of trial_results); never the test set. */
    public enum Metric {
        VALIDATION_ACCURACY("validation_accuracy"), TRAIN_LOSS("train_loss");

        public final String column;

        Metric(String column) {
            this.column = column;
        }
    }

    public SweepFile {
        axes = List.copyOf(axes);
        seeds = List.copyOf(seeds);
    }
}
