package dev.nin.data;

import dev.nin.config.UsageException;

/**
 * Which images a run trains, validates and tests on.
 *
 * @param trainLimit train on at most this many images (0 = all that remain after the validation split)
 * @param validationSize images held out from the training set for validation (0 = none); tuning
 *     picks on these, never on the test set
 * @param testLimit evaluate on at most this many test images (0 = all 10,000)
 */
public record DataOptions(int trainLimit, int validationSize, int testLimit) {

    public static final DataOptions ALL = new DataOptions(0, 0, 0);

    /**
     * Seed of the split between training and validation images. Fixed, so runs with different
     * training seeds validate (and, with a train limit, train) on the same images.
     */
    public static final long SPLIT_SEED = 20_131_216L;

    public DataOptions {
        dev.nin.config.Knob.TRAIN_LIMIT.require(trainLimit);
        dev.nin.config.Knob.VALIDATION.require(validationSize);
        dev.nin.config.Knob.TEST_LIMIT.require(testLimit);
    }

    /** The three sets for one run; the split is a seeded shuffle of the training set. */
    public record Splits(ImageSet train, ImageSet validation, ImageSet test) {}

    /**
     * Splits {@code data}: a seeded permutation of the training set gives the validation images first
     * and the training images after them.
     *
     * @param splitSeed fixes which images are held out (so every trial of a sweep validates on the same ones)
     */
    public Splits apply(FashionMnist data, long splitSeed) {
        int available = data.train().size();
        if (validationSize >= available) {
            throw new UsageException("validation: expected fewer than the " + available
                    + " training images, found " + validationSize);
        }
        int[] order = ImageSet.permutation(available, splitSeed);
        ImageSet validation = data.train().select(order, 0, validationSize);
        int trainEnd = trainLimit == 0 ? available : Math.min(available, validationSize + trainLimit);
        ImageSet train = data.train().select(order, validationSize, trainEnd);
        return new Splits(train, validation, data.test().head(testLimit));
    }
}
