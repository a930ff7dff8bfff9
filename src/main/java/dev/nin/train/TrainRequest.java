package dev.nin.train;

import dev.nin.data.DataOptions;
import dev.nin.model.ModelSpec;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One training run for {@link Trainer#train}: what to train, on which data, and the optional
 * extras. Built as DJL builds its training configurations: the required values with
 * {@code setX}, the optional ones with {@code optX} (each documents its default), checked
 * together in {@link Builder#build()}.
 *
 * <pre>{@code
 * TrainRequest.builder().setModel(spec).setConfig(config).setData(splits)
 *         .optListener(progress).optCheckpoints(checkpoints, 3).build();
 * }</pre>
 */
public final class TrainRequest {

    private final ModelSpec model;
    private final TrainConfig config;
    private final DataOptions.Splits data;
    private final TrainingListener listener;
    private final Checkpoints checkpoints;
    private final int resumeAfter;
    private final Path savedModel;
    private final ModelCard.Origin savedModelOrigin;
    private final EpochGate gate;
    private final PrecisionChoice precision;

    private TrainRequest(Builder b) {
        this.model = b.model;
        this.config = b.config;
        this.data = b.data;
        this.listener = b.listener;
        this.checkpoints = b.checkpoints;
        this.resumeAfter = b.resumeAfter;
        this.savedModel = b.savedModel;
        this.savedModelOrigin = b.savedModelOrigin;
        this.gate = b.gate;
        this.precision = b.precision;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ModelSpec model() {
        return model;
    }

    public TrainConfig config() {
        return config;
    }

    public DataOptions.Splits data() {
        return data;
    }

    public TrainingListener listener() {
        return listener;
    }

    /** Where a checkpoint is saved after every epoch (and resumed from); empty for none. */
    public Optional<Checkpoints> checkpoints() {
        return Optional.ofNullable(checkpoints);
    }

    /** The epoch whose checkpoint the run resumes after; 0 starts from scratch. */
    public int resumeAfter() {
        return resumeAfter;
    }

    /** Where the trained model is exported as a SavedModel when the run completes; empty for no export. */
    public Optional<Path> savedModel() {
        return Optional.ofNullable(savedModel);
    }

    /** What the exported model's {@link ModelCard} says of its trial; present exactly when {@link #savedModel()} is. */
    public Optional<ModelCard.Origin> savedModelOrigin() {
        return Optional.ofNullable(savedModelOrigin);
    }

    public EpochGate gate() {
        return gate;
    }

    /** The precision chosen for this run by the caller; empty: the config's request, which must not be {@code auto}. */
    public Optional<PrecisionChoice> precision() {
        return Optional.ofNullable(precision);
    }

    /** Collects a request's values; {@link #build()} checks them. */
    public static final class Builder {

        private ModelSpec model;
        private TrainConfig config;
        private DataOptions.Splits data;
        private TrainingListener listener = TrainingListener.NONE;
        private Checkpoints checkpoints;
        private int resumeAfter;
        private Path savedModel;
        private ModelCard.Origin savedModelOrigin;
        private EpochGate gate = EpochGate.NONE;
        private PrecisionChoice precision;

        private Builder() {}

        /** Required: the architecture (the config's dropout, when given, overrides its rate). */
        public Builder setModel(ModelSpec model) {
            this.model = model;
            return this;
        }

        /** Required: the hyperparameters. */
        public Builder setConfig(TrainConfig config) {
            this.config = config;
            return this;
        }

        /** Required: the training, validation and test images. */
        public Builder setData(DataOptions.Splits data) {
            this.data = data;
            return this;
        }

        /** Hears every event of the run. Default {@link TrainingListener#NONE}. */
        public Builder optListener(TrainingListener listener) {
            this.listener = listener;
            return this;
        }

        /** Saves a checkpoint after every epoch. Default: no checkpoints. */
        public Builder optCheckpoints(Checkpoints checkpoints) {
            return optCheckpoints(checkpoints, 0);
        }

        /**
         * Saves a checkpoint after every epoch and resumes after epoch {@code resumeAfter} from its
         * checkpoint (0 = from the start). Default: no checkpoints, from the start.
         */
        public Builder optCheckpoints(Checkpoints checkpoints, int resumeAfter) {
            this.checkpoints = checkpoints;
            this.resumeAfter = resumeAfter;
            return this;
        }

        /**
         * Exports the model as a SavedModel to {@code folder} when training completes, with a
         * {@link ModelCard} telling {@code origin}'s story. Default: no export.
         */
        public Builder optSavedModel(Path folder, ModelCard.Origin origin) {
            this.savedModel = folder;
            this.savedModelOrigin = origin;
            return this;
        }

        /** Asked after every epoch whether the run goes on (a sweep's pruning rule). Default {@link EpochGate#NONE}. */
        public Builder optGate(EpochGate gate) {
            this.gate = gate;
            return this;
        }

        /**
         * The precision chosen for the config's request, as {@link PrecisionProbe} chooses {@code auto}
         * (measured once per shape, so the trial records what the trainer computes in). Default: the
         * request itself, which must then not be {@code auto}.
         */
        public Builder optPrecision(PrecisionChoice precision) {
            this.precision = precision;
            return this;
        }

        /**
         * @throws IllegalArgumentException when a required value is missing, the listener or gate
         *     was set to null, or the run resumes from a checkpoint that is not there
         */
        public TrainRequest build() {
            require(model, "model");
            require(config, "config");
            require(data, "data");
            require(listener, "listener");
            require(gate, "gate");
            if ((savedModel == null) != (savedModelOrigin == null)) {
                throw new IllegalArgumentException("saved model: expected a folder and its origin together, found "
                        + (savedModel == null ? "an origin without a folder" : "a folder without an origin"));
            }
            if (resumeAfter < 0) {
                throw new IllegalArgumentException("resume after: expected 0 or more epochs, found " + resumeAfter);
            }
            if (resumeAfter > 0 && (checkpoints == null || !checkpoints.has(resumeAfter))) {
                throw new IllegalArgumentException("no checkpoint of epoch " + resumeAfter + " to resume from");
            }
            return new TrainRequest(this);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + ": expected a value, found nothing");
            }
        }
    }
}
