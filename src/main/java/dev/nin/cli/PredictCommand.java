package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.app.NinServices;
import dev.nin.data.FashionMnist;
import dev.nin.data.ImageSet;
import dev.nin.engine.DeviceRequest;
import dev.nin.io.Units;
import dev.nin.serve.ImageInput;
import dev.nin.engine.ProcessMemory;
import dev.nin.serve.SavedModelPredictor;
import dev.nin.store.query.TrialQuery;
import dev.nin.train.ModelCard;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nin predict --trial ID|--model DIR FILE…}: classify images with an exported model, through DJL. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify images (PNG/JPEG of any size, or IDX files) with a trial's SavedModel, or a model folder's, loaded through DJL.")
public class PredictCommand extends NinSubcommand {

    private static final int BATCH = 256;

    @Inject
    TrialQuery trials;

    @Inject
    NinServices services;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource source;

    /** Which model: a trial's, found through the store, or a folder, read without it. */
    static class ModelSource {
        @Option(names = "--trial", required = true, paramLabel = "ID", description = "A trial trained with --save-model(s).")
        Long trialId;

        @Option(names = "--model", required = true, paramLabel = "DIR", description = "A SavedModel folder nin exported"
                + " (HOME/models/trial-ID, or tfmodel/ of its MLflow model), e.g. copied from another machine; its"
                + " nin-model.json says what it is, and the store is not asked.")
        Path folder;
    }

    @Option(names = "--top", defaultValue = "3", paramLabel = "K", description = "Classes shown per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Images: PNG, JPEG, or IDX image files (*-idx3-ubyte[.gz]).")
    List<Path> files;

    @Override
    protected ExitCode execute() {
        if (top < 1 || top > FashionMnist.CLASS_TITLES.size()) {
            throw new UsageException("--top: expected 1 to 10, found " + top);
        }
        // The user's files before the store: a bad image is refused without touching the database.
        List<ImageInput.Named> images = new ArrayList<>();
        files.forEach(f -> images.addAll(ImageInput.read(f)));
        Path model;
        String story;
        if (source.folder != null) {
            model = source.folder;
            if (!Files.isRegularFile(model.resolve("saved_model.pb"))) {
                throw new UsageException("--model: " + model + " holds no saved_model.pb; expected a SavedModel folder nin"
                        + " exported (HOME/models/trial-ID, or tfmodel/ of its MLflow model)");
            }
            story = ModelCard.read(model).map(ModelCard::summary)
                    .orElse("model " + model + ": no " + ModelCard.FILE + " (exported before models carried one)");
        } else {
            model = EvaluateCommand.savedModel(trials, source.trialId);
            story = EvaluateCommand.story(model, source.trialId);
        }
        PrintWriter out = out();
        out.println(story);
        services.tensorflow(DeviceRequest.CPU, line -> out.println("note: " + line));
        try (SavedModelPredictor predictor = new SavedModelPredictor(model)) {
            // Warm-up: the first call prepares TensorFlow's kernels and would distort the latency.
            predictor.probabilities(images.get(0).pixels(), 1);
            long start = System.nanoTime();
            float[][] probabilities = new float[images.size()][];
            // Batches bound the memory of the activations, whatever the number of images.
            for (int from = 0; from < images.size(); from += BATCH) {
                int count = Math.min(BATCH, images.size() - from);
                byte[] batch = new byte[count * ImageSet.PIXELS];
                for (int i = 0; i < count; i++) {
                    System.arraycopy(images.get(from + i).pixels(), 0, batch, i * ImageSet.PIXELS, ImageSet.PIXELS);
                }
                System.arraycopy(predictor.probabilities(batch, count), 0, probabilities, from, count);
            }
            double millis = (System.nanoTime() - start) / 1e6;
            for (int i = 0; i < images.size(); i++) {
                float[] p = probabilities[i];
                Integer[] order = new Integer[p.length];
                for (int c = 0; c < p.length; c++) {
                    order[c] = c;
                }
                java.util.Arrays.sort(order, (a, b) -> Float.compare(p[b], p[a]));
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s %-12s %.3f", images.get(i).name(),
                        FashionMnist.CLASS_TITLES.get(order[0]), p[order[0]]));
                for (int k = 1; k < top; k++) {
                    line.append(String.format(Locale.ROOT, "   %s %.3f", FashionMnist.CLASS_TITLES.get(order[k]), p[order[k]]));
                }
                out.println(line);
            }
            out.printf(Locale.ROOT, "%d image%s in %.1f ms (%.2f ms per image) on cpu() through DJL's TensorFlow engine; "
                    + "peak process memory %s%n", images.size(), images.size() == 1 ? "" : "s", millis, millis / images.size(),
                    Units.bytes(ProcessMemory.peakResidentBytes()));
        }
        return ExitCode.OK;
    }
}
