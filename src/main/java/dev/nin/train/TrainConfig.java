package dev.nin.train;

import dev.nin.config.UsageException;
import dev.nin.config.Knob;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.OptimizerSpec;

import java.util.OptionalDouble;

/**
 * Hyperparameters of one training run; validated at construction. Defaults are the book's
 * ({@link #book()}): lr 0.1, 10 epochs, batch 128, resize 224, plain SGD.
 *
 * @param learningRate SGD step size, &gt; 0
 * @param epochs passes over the training set, 1…1000
 * @param batchSize images per step, 1…4096
 * @param resize side in pixels the 28x28 images are resized to (the variant sets the minimum)
 * @param seed seeds weight initialisation, shuffling and dropout masks
 * @param optimizer momentum, Nesterov, weight decay
 * @param dropout overrides the variant's dropout rate when present
 * @param threads TensorFlow's intra-op threads (0 = TensorFlow's default, all cores); 1 makes runs
 *     bit-for-bit repeatable
 * @param options schedule, initialisation, augmentation, label smoothing, stall rule ({@link TrainingOptions#BOOK} by default)
 */
public record TrainConfig(double learningRate, int epochs, int batchSize, int resize, long seed,
        OptimizerSpec optimizer, OptionalDouble dropout, int threads, TrainingOptions options) {

    /** With the book's training options. */
    public TrainConfig(double learningRate, int epochs, int batchSize, int resize, long seed, OptimizerSpec optimizer,
            OptionalDouble dropout, int threads) {
        this(learningRate, epochs, batchSize, resize, seed, optimizer, dropout, threads, TrainingOptions.BOOK);
    }

    // The defaults are the registry's (Knob), as the flags' and the sweep files' are.
    public static final double BOOK_LEARNING_RATE = Knob.LR.defaultNumber();
    public static final int BOOK_EPOCHS = (int) Knob.EPOCHS.defaultNumber();
    public static final int BOOK_BATCH_SIZE = (int) Knob.BATCH.defaultNumber();
    public static final int BOOK_RESIZE = (int) Knob.RESIZE.defaultNumber();
    public static final long DEFAULT_SEED = (long) Knob.SEED.defaultNumber();
    public static final int MAX_EPOCHS = (int) Knob.EPOCHS.max();
    public static final int MAX_BATCH_SIZE = (int) Knob.BATCH.max();

    /**
     * The network this config trains: {@code spec} with the config's dropout, unrolled at its
     * resize. A pure function of the two values, so the store can describe a trial without the Trainer.
     */
    public NetworkPlan plan(ModelSpec spec) {
        ModelSpec effective = dropout.isPresent() ? spec.withDropout(dropout.getAsDouble()) : spec;
        return NetworkPlan.of(effective, resize);
    }

    public TrainConfig {
        // The ranges are Knob's, shared with the flags and the sweep parser.
        Knob.LR.require(learningRate);
        Knob.EPOCHS.require(epochs);
        Knob.BATCH.require(batchSize);
        Knob.RESIZE.require(resize);
        Knob.SEED.require(seed);
        Knob.THREADS.require(threads);
        if (optimizer == null) {
            throw new UsageException("optimizer: expected a value, found nothing");
        }
        if (options == null) {
            options = TrainingOptions.BOOK;
        }
        if (dropout == null) {
            dropout = OptionalDouble.empty();
        }
        dropout.ifPresent(Knob.DROPOUT::require);
    }

    /** This configuration with another seed (a stalled trial's retry). */
    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(learningRate, epochs, batchSize, resize, newSeed, optimizer, dropout, threads, options);
    }

    public TrainConfig withOptions(TrainingOptions o) {
        return new TrainConfig(learningRate, epochs, batchSize, resize, seed, optimizer, dropout, threads, o);
    }

    /** The learning rate of the 0-based {@code step} of the run, after its schedule. */
    public double learningRateAt(long step, int stepsPerEpoch) {
        return learningRate * options.schedule().factor(step, stepsPerEpoch, epochs);
    }

    /** The book's setting with the default seed. */
    public static TrainConfig book() {
        return new TrainConfig(BOOK_LEARNING_RATE, BOOK_EPOCHS, BOOK_BATCH_SIZE, BOOK_RESIZE, DEFAULT_SEED,
                OptimizerSpec.BOOK_SGD, OptionalDouble.empty(), 0);
    }
}
