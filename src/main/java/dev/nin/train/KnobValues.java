package dev.nin.train;

import dev.nin.config.Knob;
import dev.nin.data.DataOptions;
import dev.nin.model.Initializer;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.TrainingTransforms;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Between the registry's values ({@code Map<Knob, Object>}, see {@link Knob}) and the typed
 * configs training reads: the only code that knows which field holds which knob. A new knob adds
 * one line to {@link #of} and one to the constructor call it belongs to.
 */
public final class KnobValues {

    private KnobValues() {}

    /**
     * Every knob's value in a trial.
     *
     * @param variant the model's name
     * @param dropout the model's dropout rate when overridden or known, else empty (the variant's)
     */
    public static Map<Knob, Object> of(String variant, OptionalDouble dropout, TrainConfig c, DataOptions data) {
        TrainingOptions o = c.options();
        Map<Knob, Object> v = new EnumMap<>(Knob.class);
        v.put(Knob.VARIANT, variant);
        v.put(Knob.LR, c.learningRate());
        v.put(Knob.EPOCHS, (long) c.epochs());
        v.put(Knob.BATCH, (long) c.batchSize());
        v.put(Knob.RESIZE, (long) c.resize());
        v.put(Knob.SEED, c.seed());
        v.put(Knob.MOMENTUM, c.optimizer().momentum());
        v.put(Knob.NESTEROV, c.optimizer().nesterov());
        v.put(Knob.WEIGHT_DECAY, c.optimizer().weightDecay());
        v.put(Knob.DROPOUT, dropout.isPresent() ? dropout.getAsDouble() : null);
        v.put(Knob.SCHEDULE, o.schedule().kind().key());
        v.put(Knob.WARMUP_EPOCHS, o.schedule().warmupEpochs());
        v.put(Knob.STEP_EPOCHS, (long) o.schedule().stepEpochs());
        v.put(Knob.STEP_GAMMA, o.schedule().stepGamma());
        v.put(Knob.INIT, o.initializer().key());
        v.put(Knob.LABEL_SMOOTHING, o.transforms().labelSmoothing());
        v.put(Knob.CROP_PADDING, (long) o.transforms().cropPadding());
        v.put(Knob.FLIP, o.transforms().flip());
        v.put(Knob.PRECISION, o.precision().key());
        v.put(Knob.THREADS, (long) c.threads());
        v.put(Knob.STALL_STEPS, (long) o.stall().steps());
        v.put(Knob.STALL_BAND, o.stall().band());
        v.put(Knob.TRAIN_LIMIT, (long) data.trainLimit());
        v.put(Knob.VALIDATION, (long) data.validationSize());
        v.put(Knob.TEST_LIMIT, (long) data.testLimit());
        return v;
    }

    /** The training configuration {@code v} describes (its dropout an override when present); validated by the records. */
    public static TrainConfig trainConfig(Map<Knob, Object> v) {
        OptionalDouble dropout = v.get(Knob.DROPOUT) == null ? OptionalDouble.empty() : OptionalDouble.of(real(v, Knob.DROPOUT));
        return new TrainConfig(real(v, Knob.LR), whole(v, Knob.EPOCHS), whole(v, Knob.BATCH), whole(v, Knob.RESIZE),
                ((Number) v.get(Knob.SEED)).longValue(),
                new OptimizerSpec(real(v, Knob.MOMENTUM), (Boolean) v.get(Knob.NESTEROV), real(v, Knob.WEIGHT_DECAY)), dropout,
                whole(v, Knob.THREADS), options(v));
    }

    /** The training options {@code v} describes. */
    public static TrainingOptions options(Map<Knob, Object> v) {
        return new TrainingOptions(
                new LearningRateSchedule(LearningRateSchedule.Kind.parse((String) v.get(Knob.SCHEDULE)), real(v, Knob.WARMUP_EPOCHS),
                        whole(v, Knob.STEP_EPOCHS), real(v, Knob.STEP_GAMMA)),
                Initializer.parse((String) v.get(Knob.INIT)),
                new TrainingTransforms(whole(v, Knob.CROP_PADDING), (Boolean) v.get(Knob.FLIP), real(v, Knob.LABEL_SMOOTHING)),
                new StallRule(whole(v, Knob.STALL_STEPS), real(v, Knob.STALL_BAND)),
                PrecisionChoice.Request.parse((String) v.get(Knob.PRECISION)));
    }

    /** The data options {@code v} describes. */
    public static DataOptions data(Map<Knob, Object> v) {
        return new DataOptions(whole(v, Knob.TRAIN_LIMIT), whole(v, Knob.VALIDATION), whole(v, Knob.TEST_LIMIT));
    }

    private static double real(Map<Knob, Object> v, Knob k) {
        return ((Number) v.get(k)).doubleValue();
    }

    private static int whole(Map<Knob, Object> v, Knob k) {
        return ((Number) v.get(k)).intValue();
    }
}
