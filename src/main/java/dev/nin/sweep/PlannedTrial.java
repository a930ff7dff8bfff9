package dev.nin.sweep;

/**
 * One trial of a sweep's plan.
 *
 * @param index position in the plan, 0-based; trials run in this order
 * @param hyperparameters the configuration
 * @param seed the training seed
 */
public record PlannedTrial(int index, Hyperparameters hyperparameters, long seed) {

    /** e.g. {@code standard lr=0.1 epochs=10 batch=128 resize=224 seed=1}. */
    public String label() {
        return hyperparameters.label() + " seed=" + seed;
    }
}
