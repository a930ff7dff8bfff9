package dev.nin.train;

import dev.nin.engine.RuntimeInfo;
import dev.nin.model.CostReport;

/** What a training run announces; progress bars, stores and trackers listen. */
public sealed interface TrainingEvent {

    /**
     * @param costs the network's analytic costs at this run's resize
     * @param batchesPerEpoch training steps per epoch
     * @param resumedAfter the epoch a resumed run continues after (0 for a fresh start)
     * @param precision what the graph computes in, and why
     */
    record Started(TrainConfig config, CostReport costs, RuntimeInfo runtime, int trainImages,
            int validationImages, int testImages, int batchesPerEpoch, int resumedAfter, PrecisionChoice precision)
            implements TrainingEvent {}

    /**
     * An fp16 step's gradients were not finite at the current loss scale: no weight changed and the
     * scale was halved. Normal a few times early in a run; not a divergence.
     *
     * @param lossScale the scale after halving
     */
    record StepSkipped(int epoch, int batch, double lossScale) implements TrainingEvent {}

    /**
     * One training step ended.
     *
     * @param batch 1-based index within the epoch
     * @param loss the batch's mean loss
     * @param images images in this batch
     * @param seconds time inside the training step ({@code Session.run} and its feeds)
     */
    record BatchEnded(int epoch, int batch, int batchesPerEpoch, double loss, int images, double seconds)
            implements TrainingEvent {}

    /** Evaluation of the epoch's model begins (it has no per-step progress). */
    record Evaluating(int epoch, int images) implements TrainingEvent {}

    record EpochEnded(EpochMetrics metrics) implements TrainingEvent {}

    record Finished(TrainingResult result) implements TrainingEvent {}
}
