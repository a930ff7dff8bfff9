package dev.nin.train;

import dev.nin.model.Initializer;
import dev.nin.model.TrainingTransforms;

/**
 * Training choices beyond the book's plain, constant-rate SGD with Xavier weights in float32;
 * {@link #BOOK} is the book's.
 *
 * @param schedule how the learning rate changes over the run
 * @param initializer how weights start
 * @param transforms augmentation and label smoothing on the training path
 * @param stall when to stop a trial stuck on the ln(classes) plateau
 * @param precision what the graph computes in, as asked ({@code auto} is resolved per machine, see {@link PrecisionChoice})
 */
public record TrainingOptions(LearningRateSchedule schedule, Initializer initializer, TrainingTransforms transforms,
        StallRule stall, PrecisionChoice.Request precision) {

    public static final TrainingOptions BOOK = new TrainingOptions(LearningRateSchedule.CONSTANT, Initializer.XAVIER,
            TrainingTransforms.NONE, StallRule.OFF, PrecisionChoice.Request.DEFAULT);

    /** In float32, the book's precision. */
    public TrainingOptions(LearningRateSchedule schedule, Initializer initializer, TrainingTransforms transforms, StallRule stall) {
        this(schedule, initializer, transforms, stall, PrecisionChoice.Request.DEFAULT);
    }

    public TrainingOptions {
        if (schedule == null || initializer == null || transforms == null || stall == null || precision == null) {
            throw new IllegalArgumentException("training options: expected a schedule, initializer, transforms, stall rule"
                    + " and precision");
        }
    }

    public TrainingOptions withSchedule(LearningRateSchedule s) {
        return new TrainingOptions(s, initializer, transforms, stall, precision);
    }

    public TrainingOptions withInitializer(Initializer i) {
        return new TrainingOptions(schedule, i, transforms, stall, precision);
    }

    public TrainingOptions withTransforms(TrainingTransforms t) {
        return new TrainingOptions(schedule, initializer, t, stall, precision);
    }

    public TrainingOptions withStall(StallRule s) {
        return new TrainingOptions(schedule, initializer, transforms, s, precision);
    }

    public TrainingOptions withPrecision(PrecisionChoice.Request p) {
        return new TrainingOptions(schedule, initializer, transforms, stall, p);
    }
}
