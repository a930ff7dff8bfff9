package dev.nin.model;

import dev.nin.config.Knob;

/**
 * What the training path of the graph does beyond the book's: augmentation of the training images
 * and label smoothing. The evaluation path (validation, test, prediction, the exported model) never
 * applies either.
 *
 * @param cropPadding zero-pad each 28x28 image by this many pixels per side and crop a random
 *        28x28 window from it (0 = off; at most 8)
 * @param flip mirror each image left-right with probability 1/2
 * @param labelSmoothing ε in [0, 1): the training target is (1-ε)·one-hot + ε/classes
 */
public record TrainingTransforms(int cropPadding, boolean flip, double labelSmoothing) {

    public static final int MAX_CROP_PADDING = (int) Knob.CROP_PADDING.max();

    /** The book's: none. */
    public static final TrainingTransforms NONE = new TrainingTransforms(0, false, 0);

    public TrainingTransforms {
        Knob.CROP_PADDING.require(cropPadding);
        Knob.LABEL_SMOOTHING.require(labelSmoothing);
    }
}
