package dev.nin.train;

import dev.nin.model.Initializer;
import dev.nin.model.TrainingTransforms;

/**
 * Training choices beyond the book's plain, constant-rate SGD with Xavier weights; {@link #BOOK}
 * is the book's.
 *
 * @param schedule how the learning rate changes over the run
 * @param initializer how weights start
 * @param transforms augmentation and label smoothing on the training path
 * @param stall when to stop a trial stuck on the ln(classes) plateau
 */
public record TrainingOptions(LearningRateSchedule schedule, Initializer initializer, TrainingTransforms transforms,
        StallRule stall) {

    public static final TrainingOptions BOOK = new TrainingOptions(LearningRateSchedule.CONSTANT, Initializer.XAVIER,
            TrainingTransforms.NONE, StallRule.OFF);

    public TrainingOptions {
        if (schedule == null || initializer == null || transforms == null || stall == null) {
            throw new IllegalArgumentException("training options: expected a schedule, initializer, transforms and stall rule");
        }
    }

    public TrainingOptions withSchedule(LearningRateSchedule s) {
        return new TrainingOptions(s, initializer, transforms, stall);
    }

    public TrainingOptions withInitializer(Initializer i) {
        return new TrainingOptions(schedule, i, transforms, stall);
    }

    public TrainingOptions withTransforms(TrainingTransforms t) {
        return new TrainingOptions(schedule, initializer, t, stall);
    }

    public TrainingOptions withStall(StallRule s) {
        return new TrainingOptions(schedule, initializer, transforms, s);
    }
}
