package dev.nin.sweep;

import dev.nin.config.Knob;
import dev.nin.data.DataOptions;
import dev.nin.train.KnobValues;
import dev.nin.train.StallRule;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingOptions;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The hyperparameters a sweep sets per trial: the value of every {@linkplain Knob#hyperparameters()
 * hyperparameter knob}, the registry's defaults (the book's) where the file sets none. Every key of
 * a sweep file's {@code base} and {@code axes} is one of {@link #KEYS}.
 *
 * @param values one value per hyperparameter knob, as {@link Knob} describes them
 */
public record Hyperparameters(Map<Knob, Object> values) {

    /** The keys a sweep file may use for hyperparameters, in documentation order. */
    public static final List<String> KEYS = Knob.hyperparameters().stream().map(k -> k.key).toList();

    public Hyperparameters {
        Map<Knob, Object> copy = new EnumMap<>(Knob.class);
        for (Knob k : Knob.hyperparameters()) {
            if (!values.containsKey(k)) {
                throw new IllegalArgumentException("hyperparameters: " + k.key + " missing");
            }
            copy.put(k, k.normalise(values.get(k)));
        }
        if (copy.size() != values.size()) {
            throw new IllegalArgumentException("hyperparameters: only the hyperparameter knobs " + KEYS + ", found " + values.keySet());
        }
        values = Collections.unmodifiableMap(copy);
    }

    /** The book's setting: every hyperparameter at the registry's default. */
    public static Hyperparameters book() {
        Map<Knob, Object> v = new EnumMap<>(Knob.class);
        Knob.hyperparameters().forEach(k -> v.put(k, k.defaultValue()));
        return new Hyperparameters(v);
    }

    /** The hyperparameters of a training configuration (its seed, threads and stall rule are not among them). */
    public static Hyperparameters of(String variant, TrainConfig config) {
        Map<Knob, Object> all = KnobValues.of(variant, config.dropout(), config, DataOptions.ALL);
        all.keySet().retainAll(Knob.hyperparameters());
        return new Hyperparameters(all);
    }

    /** This set with {@code key} changed to {@code value} (already checked by the parser). */
    public Hyperparameters with(String key, Object value) {
        Knob knob = Knob.forKey(key);
        if (knob == null || !knob.hyperparameter) {
            throw new IllegalArgumentException("unknown hyperparameter " + key);
        }
        Map<Knob, Object> v = new EnumMap<>(values);
        v.put(knob, value);
        return new Hyperparameters(v);
    }

    public String variant() {
        return (String) values.get(Knob.VARIANT);
    }

    public double lr() {
        return ((Number) values.get(Knob.LR)).doubleValue();
    }

    public int epochs() {
        return ((Number) values.get(Knob.EPOCHS)).intValue();
    }

    public int batch() {
        return ((Number) values.get(Knob.BATCH)).intValue();
    }

    public int resize() {
        return ((Number) values.get(Knob.RESIZE)).intValue();
    }

    public double momentum() {
        return ((Number) values.get(Knob.MOMENTUM)).doubleValue();
    }

    public boolean nesterov() {
        return (Boolean) values.get(Knob.NESTEROV);
    }

    public double weightDecay() {
        return ((Number) values.get(Knob.WEIGHT_DECAY)).doubleValue();
    }

    /** The dropout rate when set, else empty: the variant's. */
    public OptionalDouble dropout() {
        Object d = values.get(Knob.DROPOUT);
        return d == null ? OptionalDouble.empty() : OptionalDouble.of(((Number) d).doubleValue());
    }

    /** Schedule, initialisation, augmentation and label smoothing (the stall rule is the sweep's, not a trial's: off here). */
    public TrainingOptions options() {
        return KnobValues.options(trial(0, 0, StallRule.OFF));
    }

    private Map<Knob, Object> trial(long seed, int threads, StallRule stall) {
        Map<Knob, Object> v = new EnumMap<>(values);
        v.put(Knob.SEED, seed);
        v.put(Knob.THREADS, (long) threads);
        v.put(Knob.STALL_STEPS, (long) stall.steps());
        v.put(Knob.STALL_BAND, stall.band());
        return v;
    }

    /** The training configuration of one trial, with the sweep's stall rule. */
    public TrainConfig toTrainConfig(long seed, int threads, StallRule stall) {
        return KnobValues.trainConfig(trial(seed, threads, stall));
    }

    /** The training configuration of one trial, never stalling. */
    public TrainConfig toTrainConfig(long seed, int threads) {
        return toTrainConfig(seed, threads, StallRule.OFF);
    }

    /** A short human label, e.g. {@code standard lr=0.1 epochs=10 batch=128 resize=224}: see {@link Knob#label}. */
    public String label() {
        return Knob.label(values);
    }
}
