package dev.nin.train;

import dev.nin.config.UsageException;
import java.util.Locale;

/**
 * How the learning rate changes over a run, as a factor of the base rate. The factor for a step
 * is computed in Java and fed to the graph's {@code learning_rate} placeholder, which every update
 * op reads.
 *
 * @param kind constant (the book's), step decay or cosine decay to 0
 * @param warmupEpochs ramp linearly from 1/W of the rate to all of it over this many epochs first (0 = none)
 * @param stepEpochs for step decay: multiply by {@code stepGamma} every this many epochs
 * @param stepGamma for step decay: the factor, in (0, 1)
 */
public record LearningRateSchedule(Kind kind, double warmupEpochs, int stepEpochs, double stepGamma) {

    public enum Kind {
        CONSTANT, STEP, COSINE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.key().equals(text)) {
                    return k;
                }
            }
            throw new UsageException("schedule: expected constant, step or cosine, found '" + text + "'");
        }
    }

    public static final int DEFAULT_STEP_EPOCHS = (int) dev.nin.config.Knob.STEP_EPOCHS.defaultNumber();
    public static final double DEFAULT_STEP_GAMMA = dev.nin.config.Knob.STEP_GAMMA.defaultNumber();

    /** The book's: the same rate throughout. */
    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 0, DEFAULT_STEP_EPOCHS,
            DEFAULT_STEP_GAMMA);

    public LearningRateSchedule {
        if (kind == null) {
            throw new UsageException("schedule: expected constant, step or cosine, found nothing");
        }
        dev.nin.config.Knob.WARMUP_EPOCHS.require(warmupEpochs);
        dev.nin.config.Knob.STEP_EPOCHS.require(stepEpochs);
        dev.nin.config.Knob.STEP_GAMMA.require(stepGamma);
    }

    /**
     * The factor for a step.
     *
     * @param step 0-based index of the step over the whole run
     * @param stepsPerEpoch training steps in one epoch
     * @param epochs epochs of the run
     */
    public double factor(long step, int stepsPerEpoch, int epochs) {
        double epoch = (double) step / stepsPerEpoch;
        double decay = switch (kind) {
            case CONSTANT -> 1.0;
            case STEP -> Math.pow(stepGamma, Math.floor(epoch / stepEpochs));
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * step / ((double) stepsPerEpoch * epochs)));
        };
        double warmupSteps = warmupEpochs * stepsPerEpoch;
        double warmup = warmupSteps > 0 && step < warmupSteps ? (step + 1) / warmupSteps : 1.0;
        return decay * warmup;
    }
}
