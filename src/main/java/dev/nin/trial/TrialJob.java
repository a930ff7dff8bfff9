package dev.nin.trial;

import dev.nin.data.DataOptions;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.train.Checkpoints;
import dev.nin.train.EpochGate;
import dev.nin.train.TrainConfig;

import java.util.Optional;

/**
 * One trial for {@link TrialExecution#run}: how the store knows it (a new trial of
 * {@code ./nin train}, or one a sweep worker claimed), what to train, and the optional extras.
 * Built as {@link dev.nin.train.TrainRequest} is: required values with {@code setX}, optional ones
 * with {@code optX} (each documents its default), checked together in {@link Builder#build()}.
 */
public final class TrialJob {

    /** Whether the network's training and prediction memory is measured before it trains, unless told otherwise. */
    public static final boolean MEASURE_MEMORY_DEFAULT = true;
    /** Whether a completed trial is exported as a SavedModel, unless told otherwise. */
    public static final boolean SAVE_MODEL_DEFAULT = false;

    /** How the trial enters the store. */
    public sealed interface Entry {
        /** A trial the store does not hold yet ({@code ./nin train}); {@code configuration} is its label in words. */
        record New(String configuration) implements Entry {}

        /** A trial this process claimed from a sweep: its id and the attempt the claim is for. */
        record Claimed(long trialId, int attempt) implements Entry {}
    }

    private final Entry entry;
    private final ModelSpec model;
    private final TrainConfig config;
    private final DataOptions data;
    private final DataOptions.Splits splits;
    private final RuntimeInfo runtime;
    private final boolean measureMemory;
    private final boolean saveModel;
    private final Checkpoints checkpoints;
    private final int resumeAfter;
    private final EpochGate gate;

    private TrialJob(Builder b) {
        entry = b.entry;
        model = b.model;
        config = b.config;
        data = b.data;
        splits = b.splits;
        runtime = b.runtime;
        measureMemory = b.measureMemory;
        saveModel = b.saveModel;
        checkpoints = b.checkpoints;
        resumeAfter = b.resumeAfter;
        gate = b.gate;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Entry entry() {
        return entry;
    }

    public ModelSpec model() {
        return model;
    }

    public TrainConfig config() {
        return config;
    }

    /** The data options as recorded (subset limits, validation size). */
    public DataOptions data() {
        return data;
    }

    /** The images those options select. */
    public DataOptions.Splits splits() {
        return splits;
    }

    public RuntimeInfo runtime() {
        return runtime;
    }

    public boolean measureMemory() {
        return measureMemory;
    }

    public boolean saveModel() {
        return saveModel;
    }

    /** Where a checkpoint is saved after every epoch (and deleted once the trial has ended); empty for none. */
    public Optional<Checkpoints> checkpoints() {
        return Optional.ofNullable(checkpoints);
    }

    /** The epoch whose checkpoint training resumes after; 0 starts from scratch. */
    public int resumeAfter() {
        return resumeAfter;
    }

    public EpochGate gate() {
        return gate;
    }

    /** Collects a job's values; {@link #build()} checks them. */
    public static final class Builder {

        private Entry entry;
        private ModelSpec model;
        private TrainConfig config;
        private DataOptions data;
        private DataOptions.Splits splits;
        private RuntimeInfo runtime;
        private boolean measureMemory = MEASURE_MEMORY_DEFAULT;
        private boolean saveModel = SAVE_MODEL_DEFAULT;
        private Checkpoints checkpoints;
        private int resumeAfter;
        private EpochGate gate = EpochGate.NONE;

        private Builder() {}

        /** Required: a new trial, or a claimed one. */
        public Builder setEntry(Entry entry) {
            this.entry = entry;
            return this;
        }

        /** Required: the architecture. */
        public Builder setModel(ModelSpec model) {
            this.model = model;
            return this;
        }

        /** Required: the hyperparameters. */
        public Builder setConfig(TrainConfig config) {
            this.config = config;
            return this;
        }

        /** Required: the data options and the images they select. */
        public Builder setData(DataOptions data, DataOptions.Splits splits) {
            this.data = data;
            this.splits = splits;
            return this;
        }

        /** Required: the loaded TensorFlow runtime (and its device). */
        public Builder setRuntime(RuntimeInfo runtime) {
            this.runtime = runtime;
            return this;
        }

        /** Measures the network's memory in fresh processes first (reused across trials). Default true. */
        public Builder optMeasureMemory(boolean measureMemory) {
            this.measureMemory = measureMemory;
            return this;
        }

        /** Exports a completed trial as a SavedModel under the nin home's {@code models/trial-ID}. Default false. */
        public Builder optSaveModel(boolean saveModel) {
            this.saveModel = saveModel;
            return this;
        }

        /** Checkpoints every epoch and resumes after epoch {@code resumeAfter} (0 = from scratch). Default: none. */
        public Builder optCheckpoints(Checkpoints checkpoints, int resumeAfter) {
            this.checkpoints = checkpoints;
            this.resumeAfter = resumeAfter;
            return this;
        }

        /** Asked after every epoch whether the trial goes on (a sweep's pruning rule). Default {@link EpochGate#NONE}. */
        public Builder optGate(EpochGate gate) {
            this.gate = gate;
            return this;
        }

        /** @throws IllegalArgumentException when a required value is missing or the gate was set to null */
        public TrialJob build() {
            require(entry, "entry");
            require(model, "model");
            require(config, "config");
            require(data, "data options");
            require(splits, "data splits");
            require(runtime, "runtime");
            require(gate, "gate");
            if (resumeAfter < 0 || resumeAfter > 0 && checkpoints == null) {
                throw new IllegalArgumentException("resume after: expected 0, or an epoch with checkpoints, found " + resumeAfter);
            }
            return new TrialJob(this);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + ": expected a value, found nothing");
            }
        }
    }
}
