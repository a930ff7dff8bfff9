package dev.nin.train;

import java.util.List;

/**
 * The outcome of a run.
 *
 * @param status how it ended
 * @param epochs metrics of every completed epoch
 * @param device where it ran, DJL's naming ({@code cpu()}, {@code gpu(0)})
 * @param weightsSha256 SHA-256 of the final weights (float32, parameter order): equal hashes mean equal models
 * @param stoppedAt where a run that did not complete stopped: "epoch E step S" when the loss stopped
 *        being finite or the run stalled, "rung at epoch E" (or "epoch E" for the median rule) when pruned; else empty
 * @param savedModel the exported SavedModel, when one was asked for and training completed
 */
public record TrainingResult(Status status, List<EpochMetrics> epochs, String device, String weightsSha256,
        String stoppedAt, java.util.Optional<SavedModels.Exported> savedModel) {

    /** How a run ended; the store's trial state is the lower-case name. */
    public enum Status {
        COMPLETED, DIVERGED, STALLED, PRUNED;

        public String state() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TrainingResult {
        epochs = List.copyOf(epochs);
    }

    public EpochMetrics last() {
        return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
    }
}
