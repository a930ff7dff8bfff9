package dev.nin.cli;

import dev.nin.model.Initializer;
import dev.nin.model.TrainingTransforms;
import dev.nin.train.LearningRateSchedule;
import dev.nin.train.StallRule;
import dev.nin.train.TrainingOptions;

import dev.nin.app.NinServices;
import dev.nin.config.Knob;
import dev.nin.app.Provenance;
import dev.nin.store.Store;
import dev.nin.store.TrialRecorder;
import dev.nin.track.MlflowMirror;
import dev.nin.data.DataOptions;
import dev.nin.data.FashionMnist;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;
import dev.nin.train.TrainConfig;
import dev.nin.train.Trainer;
import dev.nin.train.TrainingResult;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nin train}: one training run, the book's setting by default. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train NiN on Fashion-MNIST. Defaults are the book's: lr 0.1, 10 epochs, batch 128, resize 224, plain SGD.")
public class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Inject
    NinServices services;

    @Inject
    Store store;

    @Inject
    TrialRecorder recorder;

    @Inject
    MlflowMirror mirror;

    @Option(names = "--variant", defaultValue = "standard", paramLabel = "NAME",
            description = "Architecture: standard, single-1x1, no-1x1, gradual-head (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--lr", defaultValue = "0.1", paramLabel = "LR", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--resize", defaultValue = "224", paramLabel = "PX",
            description = "Resize the 28x28 images to PX x PX (default: ${DEFAULT-VALUE}; standard needs at least 67).")
    int resize;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dropout", paramLabel = "RATE", description = "Dropout rate (default: the variant's, 0.5).")
    Double dropout;

    @Option(names = "--momentum", defaultValue = "0", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--nesterov", description = "Use Nesterov momentum (needs --momentum > 0).")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD",
            description = "L2 weight decay added to the gradients (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--train-limit", defaultValue = "0", paramLabel = "N",
            description = "Train on at most N images (default: 0 = all).")
    int trainLimit;

    @Option(names = "--validation", defaultValue = "0", paramLabel = "N",
            description = "Hold out N training images for validation (default: ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--test-limit", defaultValue = "0", paramLabel = "N",
            description = "Evaluate on at most N test images (default: 0 = all 10,000).")
    int testLimit;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four Fashion-MNIST files (default: ~/.nin/data, then /usr/share/datasets/fashion-mnist).")
    Path data;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            description = "Where to train (default: ${DEFAULT-VALUE}: the GPU when one is usable).")
    String device;

    @Option(names = "--save-model", description = "Export the trained model as a TensorFlow SavedModel (~/.nin/models/trial-ID), "
            + "recorded in the store and sent to MLflow.")
    boolean saveModel;

    @Option(names = "--no-measure-memory", description = "Skip measuring each network's training and prediction memory"
            + " (fresh processes, a few seconds per distinct network; trials with the same network share the figures).")
    boolean noMeasureMemory;


    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "TensorFlow CPU threads (default: 0 = all cores; 1 gives bit-for-bit repeatable runs).")
    int threads;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "constant|step|cosine",
            description = "Learning-rate schedule (default: ${DEFAULT-VALUE}, the book's).")
    String schedule;

    @Option(names = "--warmup-epochs", defaultValue = "0", paramLabel = "E",
            description = "Ramp the learning rate up linearly over the first E epochs (default: ${DEFAULT-VALUE}).")
    double warmupEpochs;

    @Option(names = "--step-epochs", defaultValue = "3", paramLabel = "E",
            description = "Step schedule: multiply the rate by --step-gamma every E epochs (default: ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(names = "--step-gamma", defaultValue = "0.1", paramLabel = "G",
            description = "Step schedule's factor, in (0, 1) (default: ${DEFAULT-VALUE}).")
    double stepGamma;

    @Option(names = "--init", defaultValue = "xavier", paramLabel = "xavier|he",
            description = "Weight initialisation (default: ${DEFAULT-VALUE}, the book's).")
    String init;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "EPS",
            description = "Label smoothing ε in [0, 1) (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--crop-padding", defaultValue = "0", paramLabel = "PX",
            description = "Augment: random 28x28 crop of the image zero-padded by PX per side, 0-8 (default: ${DEFAULT-VALUE} = off).")
    int cropPadding;

    @Option(names = "--flip", description = "Augment: mirror training images left-right at random.")
    boolean flip;

    @Option(names = "--stall-steps", defaultValue = "0", paramLabel = "N",
            description = "Stop as stalled after N steps in a row with the loss within --stall-band of ln 10 (default: 0 = never).")
    int stallSteps;

    @Option(names = "--stall-band", defaultValue = "0.02", paramLabel = "NATS",
            description = "Half-width of the plateau band around ln 10 (default: ${DEFAULT-VALUE}).")
    double stallBand;

    /** The trial's configuration in words, as sweeps label theirs. */
    static String configuration(ModelSpec model, TrainConfig config) {
        TrainingOptions o = config.options();
        return new dev.nin.sweep.Hyperparameters(model.variant(), config.learningRate(), config.epochs(), config.batchSize(),
                config.resize(), config.optimizer().momentum(), config.optimizer().nesterov(),
                config.optimizer().weightDecay(), config.dropout(), o.withStall(StallRule.OFF)).label();
    }

    private TrainingOptions options() {
        return new TrainingOptions(new LearningRateSchedule(LearningRateSchedule.Kind.parse(schedule), warmupEpochs, stepEpochs,
                stepGamma), Initializer.parse(init), new TrainingTransforms(cropPadding, flip, labelSmoothing),
                new StallRule(stallSteps, stallBand));
    }

    /**
     * Every numeric flag against the range sweep files use ({@link Knob}), so the error names the
     * flag ({@code --seed}) where the records' own checks would name the key ({@code seed}).
     */
    private void checkFlags() {
        Knob.LR.requireFlag(learningRate);
        Knob.EPOCHS.requireFlag(epochs);
        Knob.BATCH.requireFlag(batch);
        Knob.RESIZE.requireFlag(resize);
        Knob.SEED.requireFlag(seed);
        if (dropout != null) {
            Knob.DROPOUT.requireFlag(dropout);
        }
        Knob.MOMENTUM.requireFlag(momentum);
        String nesterovProblem = Knob.nesterovProblem(nesterov, momentum);
        if (nesterovProblem != null) {
            throw new IllegalArgumentException("--nesterov: " + nesterovProblem + "; add --momentum (e.g. 0.9) or drop --nesterov");
        }
        Knob.WEIGHT_DECAY.requireFlag(weightDecay);
        Knob.TRAIN_LIMIT.requireFlag(trainLimit);
        Knob.VALIDATION.requireFlag(validation);
        Knob.TEST_LIMIT.requireFlag(testLimit);
        Knob.THREADS.requireFlag(threads);
        Knob.WARMUP_EPOCHS.requireFlag(warmupEpochs);
        Knob.STEP_EPOCHS.requireFlag(stepEpochs);
        Knob.STEP_GAMMA.requireFlag(stepGamma);
        Knob.LABEL_SMOOTHING.requireFlag(labelSmoothing);
        Knob.CROP_PADDING.requireFlag(cropPadding);
        Knob.STALL_STEPS.requireFlag(stallSteps);
        if (stallSteps > 0) {
            Knob.STALL_BAND.requireFlag(stallBand);
        }
    }

    @Override
    public Integer call() {
        // Everything the user typed is checked before the store, TensorFlow or the dataset is touched,
        // so a bad flag writes nothing.
        checkFlags();
        ModelSpec model = Variants.named(variant);
        TrainConfig config = new TrainConfig(learningRate, epochs, batch, resize, seed,
                new OptimizerSpec(momentum, nesterov, weightDecay),
                dropout == null ? OptionalDouble.empty() : OptionalDouble.of(dropout), threads, options());
        Trainer.plan(model, config);
        DataOptions dataOptions = new DataOptions(trainLimit, validation, testLimit);
        DeviceRequest request = DeviceRequest.parse(device);

        PrintWriter out = spec.commandLine().getOut();
        // The data files next: they are the user's input too, and refusing a bad one must leave
        // the store untouched (and not wait for TensorFlow to load first).
        FashionMnist dataset = services.dataset(Optional.ofNullable(data), out::println);
        DataOptions.Splits splits = dataOptions.apply(dataset, DataOptions.SPLIT_SEED);
        store.open();
        mirror.start(out::println);
        RuntimeInfo runtime = services.tensorflow(request, line -> out.println("note: " + line));
        TrainingResult result;
        try (TrialRecorder.Recording recording = recorder.start(Trainer.plan(model, config), config, dataOptions,
                TrainCommand.configuration(model, config), runtime.device(), Provenance.of(runtime))) {
            out.printf("trial %d, recorded in %s%n", recording.trialId(), store.redactedUrl());
            if (!noMeasureMemory) {
                recorder.measureMemory(recording.trialId(), Trainer.plan(model, config), config, out::println);
            }
            try {
                java.nio.file.Path export = saveModel
                        ? services.home().resolve("models").resolve("trial-" + recording.trialId()) : null;
                result = new Trainer(runtime).train(model, config, splits, ConsoleProgress.forTerminal(out).andThen(recording)
                        .andThen(mirror.listener()), null, 0, export);
                result.savedModel().ifPresent(m -> out.println("model saved to " + m.folder()));
            } catch (RuntimeException | Error e) {
                recording.failed(e);
                throw e;
            }
            out.printf("see it with: ./nin show %d%n", recording.trialId());
        } finally {
            mirror.finish(java.time.Duration.ofSeconds(30));
        }
        return ExitCode.of(result.status()).code;
    }
}
