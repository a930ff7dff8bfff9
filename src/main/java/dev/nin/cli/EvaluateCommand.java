package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.app.NinServices;
import dev.nin.data.FashionMnist;
import dev.nin.data.ImageSet;
import dev.nin.engine.DeviceRequest;
import dev.nin.serve.SavedModelPredictor;
import dev.nin.train.ModelCard;
import dev.nin.store.query.TrialQuery;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin evaluate --trial ID}: the trial's test accuracy again, through the exported model and DJL. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Recompute a trial's test accuracy with its SavedModel loaded through DJL, and compare it with the recorded one.")
public class EvaluateCommand extends NinSubcommand {

    private static final int BATCH = 256;

    @Inject
    TrialQuery trials;

    @Inject
    NinServices services;

    @Option(names = "--trial", required = true, paramLabel = "ID", description = "A trial trained with --save-model(s).")
    long trialId;

    @Override
    protected ExitCode execute() {
        Path model = savedModel(trials, trialId);
        TrialQuery.RecordedTest recordedTest = trials.recordedTest(trialId);
        int testLimit = recordedTest.testLimit();
        double recorded = recordedTest.testAccuracy();
        PrintWriter out = out();
        out.println(story(model, trialId));
        services.tensorflow(DeviceRequest.CPU, line -> out.println("note: " + line));
        FashionMnist data = services.dataset(Optional.empty(), out::println);
        // The stored limit as it was recorded: trials of older versions may hold one above 10,000
        // (meaning all), which today's range check on new DataOptions would refuse.
        ImageSet test = data.test().head(testLimit);
        int correct = 0;
        long start = System.nanoTime();
        try (SavedModelPredictor predictor = new SavedModelPredictor(model)) {
            int[] order = ImageSet.identity(test.size());
            for (int from = 0; from < test.size(); from += BATCH) {
                int to = Math.min(test.size(), from + BATCH);
                ImageSet batch = test.select(order, from, to);
                float[][] p = predictor.probabilities(batch.pixels(), batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    if (SavedModelPredictor.argmax(p[i]) == batch.label(i)) {
                        correct++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = (double) correct / test.size();
        out.printf(Locale.ROOT, "trial %d: test accuracy %.6f on %,d images through DJL (%.1f images/s); recorded %.6f; "
                + "difference %.2g%n", trialId, accuracy, test.size(), test.size() / seconds, recorded, Math.abs(accuracy - recorded));
        return ExitCode.OK;
    }

    /** One line from the model folder's own {@link ModelCard}: what it is, as it travels with the folder. */
    static String story(Path model, long trialId) {
        return ModelCard.read(model).map(card -> card.trial() == trialId ? card.summary()
                : card.summary() + " (note: the folder of trial " + trialId + " holds trial " + card.trial() + "'s card)")
                .orElse("model of trial " + trialId + ": " + model + " has no " + ModelCard.FILE
                        + " (exported before models carried one); ./nin show " + trialId + " has its story");
    }

    /** The trial's exported SavedModel folder, or a clear error. */
    static Path savedModel(TrialQuery trials, long trialId) {
        TrialQuery.SavedModel saved = trials.savedModel(trialId)
                .orElseThrow(() -> new UsageException("trial: no trial " + trialId + "; ./nin runs lists them"));
        if (saved.path() == null) {
            throw new UsageException("trial " + trialId + " (" + saved.state() + ") has no saved model;"
                    + " train with ./nin train --save-model, or sweep with --save-models");
        }
        Path folder = Path.of(saved.path());
        if (!Files.exists(folder.resolve("saved_model.pb"))) {
            throw new UsageException("trial " + trialId + ": its saved model is recorded at " + folder
                    + " but not there (another machine?); copy it there or download it from MLflow (artifacts/model)");
        }
        return folder;
    }
}
