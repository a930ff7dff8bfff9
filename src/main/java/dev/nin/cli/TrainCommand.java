package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.app.NinServices;
import dev.nin.config.Knob;
import dev.nin.track.MlflowMirror;
import dev.nin.data.DataOptions;
import dev.nin.data.FashionMnist;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.model.Variants;
import dev.nin.train.KnobValues;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingListener;
import dev.nin.trial.TrialExecution;
import dev.nin.trial.TrialJob;
import dev.nin.trial.TrialOutcome;
import dev.nin.train.TrainingResult;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Map;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin train}: one training run, the book's setting by default. */
@Command(name = "train", mixinStandardHelpOptions = true, modelTransformer = KnobFlags.class,
        description = "Train NiN on Fashion-MNIST. Defaults are the book's: lr 0.1, 10 epochs, batch 128, resize 224, plain SGD."
            + " Every flag that is also a sweep-file key has the key's range and default.")
public class TrainCommand extends NinSubcommand {

    @Inject
    NinServices services;

    @Inject
    TrialExecution execution;

    @Inject
    MlflowMirror mirror;

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

    /** The trial's configuration in words, as sweeps label theirs. */
    static String configuration(ModelSpec model, TrainConfig config) {
        return dev.nin.sweep.Hyperparameters.of(model.variant(), config).label();
    }

    /**
     * Every knob's value as given (or defaulted) on the command line. Each is checked against the
     * range sweep files use ({@link Knob}), so the error names the flag ({@code --seed}) where the
     * records' own checks would name the key ({@code seed}).
     */
    private Map<Knob, Object> knobs() {
        Map<Knob, Object> values = KnobFlags.values(spec);
        for (Knob knob : Knob.values()) {
            // The band only matters when the stall rule is on (as StallRule checks it).
            if (knob != Knob.STALL_BAND || ((Number) values.get(Knob.STALL_STEPS)).longValue() > 0) {
                knob.requireFlag(values.get(knob));
            }
        }
        String nesterovProblem = Knob.nesterovProblem((Boolean) values.get(Knob.NESTEROV),
                ((Number) values.get(Knob.MOMENTUM)).doubleValue());
        if (nesterovProblem != null) {
            throw new UsageException("--nesterov: " + nesterovProblem + "; add --momentum (e.g. 0.9) or drop --nesterov");
        }
        return values;
    }

    @Override
    protected ExitCode execute() {
        // Everything the user typed is checked before the store, TensorFlow or the dataset is touched,
        // so a bad flag writes nothing.
        Map<Knob, Object> knobs = knobs();
        ModelSpec model = Variants.named((String) knobs.get(Knob.VARIANT));
        TrainConfig config = KnobValues.trainConfig(knobs);
        // Planning checks the resize against the variant (too small a side throws) before anything is touched.
        config.plan(model);
        DataOptions dataOptions = KnobValues.data(knobs);
        DeviceRequest request = DeviceRequest.parse(device);

        PrintWriter out = out();
        // The data files next: they are the user's input too, and refusing a bad one must leave
        // the store untouched (and not wait for TensorFlow to load first).
        FashionMnist dataset = services.dataset(Optional.ofNullable(data), out::println);
        DataOptions.Splits splits = dataOptions.apply(dataset, DataOptions.SPLIT_SEED);
        store.open();
        mirror.start(out::println);
        RuntimeInfo runtime = services.tensorflow(request, line -> out.println("note: " + line));
        TrialJob job = TrialJob.builder().setEntry(new TrialJob.Entry.New(configuration(model, config)))
                .setModel(model).setConfig(config).setData(dataOptions, splits).setRuntime(runtime)
                .optMeasureMemory(!noMeasureMemory).optSaveModel(saveModel).build();
        TrialOutcome outcome;
        try {
            outcome = execution.run(job, new TrialExecution.Observer() {
                @Override
                public void recorded(long trialId) {
                    out.printf("trial %d, recorded in %s%n", trialId, store.redactedUrl());
                }

                @Override
                public TrainingListener training(long trialId) {
                    return ConsoleProgress.forTerminal(out);
                }
            }, out::println);
        } finally {
            mirror.finish(java.time.Duration.ofSeconds(30));
        }
        outcome.rethrowFailure();
        TrainingResult result = outcome.result();
        result.savedModel().ifPresent(m -> out.println("model saved to " + m.folder()));
        out.printf("see it with: ./nin show %d%n", outcome.trialId());
        mirror.address("trial", outcome.trialId()).ifPresent(a -> out.println("MLflow: trial " + outcome.trialId() + " at " + a));
        return ExitCode.of(result.status());
    }
}
