package dev.nin.train;

/**
 * What one epoch measured. Accuracies are fractions in [0, 1]; a set that was not evaluated is NaN.
 *
 * @param epoch 1-based
 * @param trainLoss mean cross-entropy over the epoch's training batches (with dropout)
 * @param trainAccuracy fraction of training images classified right during the epoch
 * @param validationAccuracy on the held-out validation images (NaN when there are none)
 * @param testAccuracy on the test images (NaN when not evaluated)
 * @param imagesPerSecond training images per second of time spent in training steps
 * @param trainSeconds seconds spent in training steps (the {@code Session.run} calls and their feeds)
 * @param evaluationSeconds seconds spent evaluating the validation and test images
 * @param seconds wall seconds of the whole epoch, evaluation and checkpoint included
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationAccuracy,
        double testAccuracy, double imagesPerSecond, double trainSeconds, double evaluationSeconds, double seconds) {}
