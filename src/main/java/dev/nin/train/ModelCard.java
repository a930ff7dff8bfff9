package dev.nin.train;

import dev.nin.config.UsageException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.nin.data.FashionMnist;
import dev.nin.model.ComputePrecision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The story a SavedModel folder carries in {@value #FILE}, so that a model copied to another
 * machine, or downloaded from MLflow, still says what it is: the trial, its fully resolved
 * configuration and that configuration's SHA-256 (the store's {@code trials.config_hash}), the
 * dataset files it was trained and tested on (verified against these SHA-256s when loaded), the
 * versions that trained it, and its final metrics. Written inside the folder before the folder is
 * moved into place, so a model never exists without it.
 *
 * @param format {@value #FORMAT}
 * @param trial the trial's id in the store that trained it
 * @param configuration the trial's label in words ({@code standard lr=0.1 …})
 * @param configSha256 SHA-256 of {@code config}: equal hashes mean the same network, hyperparameters and data
 * @param config the resolved configuration, canonical JSON as the store holds it
 * @param precision the compute precision it trained in ({@code fp32}, {@code bf16}, {@code fp16})
 * @param device where it trained, DJL's naming
 * @param versions nin, its git commit, DJL, TensorFlow, Java
 * @param dataset the data files, by name and SHA-256
 * @param finalEpoch the last epoch's metrics (accuracies are fractions; a missing split is null)
 * @param weightsSha256 SHA-256 of the final weights, as the store's {@code trials.weights_sha256}
 * @param signature the serving signature: input {@code images} uint8 [N, 28, 28], outputs {@code logits}
 *     and {@code probabilities} float32 [N, classes]
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ModelCard(String format, long trial, String configuration, String configSha256, JsonNode config,
        String precision, String device, Provenance versions, List<DataFile> dataset, FinalEpoch finalEpoch,
        String weightsSha256, String signature) {

    /** The file's name inside the SavedModel folder. */
    public static final String FILE = "nin-model.json";

    /** This layout's name; a reader refuses any other. */
    public static final String FORMAT = "nin-model/1";

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One data file: its name without {@code .gz} and the SHA-256 of its uncompressed bytes. */
    public record DataFile(String file, String sha256) {}

    /** The metrics of the last epoch; accuracies are fractions in [0, 1], null for an empty split. */
    public record FinalEpoch(int epoch, double trainLoss, double trainAccuracy, Double validationAccuracy,
            Double testAccuracy) {

        static FinalEpoch of(EpochMetrics m) {
            return new FinalEpoch(m.epoch(), m.trainLoss(), m.trainAccuracy(), finite(m.validationAccuracy()),
                    finite(m.testAccuracy()));
        }

        private static Double finite(double value) {
            return Double.isFinite(value) ? value : null;
        }
    }

    /**
     * What the caller of training knows about the model before it is trained: the trial and its
     * resolved configuration (the store computes both).
     */
    public record Origin(long trial, String configuration, String configJson, String configSha256) {}

    /** The card of a model trained from {@code origin} that ended with {@code last} and these weights. */
    static ModelCard of(Origin origin, ComputePrecision precision, String device, Provenance versions,
            EpochMetrics last, String weightsSha256) {
        JsonNode config;
        try {
            config = JSON.readTree(origin.configJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the trial's resolved config is not JSON: " + e.getOriginalMessage(), e);
        }
        List<DataFile> files = Arrays.stream(FashionMnist.File.values()).map(f -> new DataFile(f.baseName, f.sha256)).toList();
        return new ModelCard(FORMAT, origin.trial(), origin.configuration(), origin.configSha256(), config,
                precision.key(), device, versions, files, last == null ? null : FinalEpoch.of(last), weightsSha256,
                SavedModels.SIGNATURE);
    }

    /** Writes the card into {@code folder} (the SavedModel's, before it is moved into place). */
    void write(Path folder) throws IOException {
        Files.writeString(folder.resolve(FILE), JSON.writeValueAsString(this) + "\n");
    }

    /**
     * The card in a SavedModel folder; empty for a folder exported before cards existed.
     *
     * @throws IllegalArgumentException naming the file when it is there but not a card of this format
     */
    public static Optional<ModelCard> read(Path folder) {
        Path file = folder.resolve(FILE);
        try {
            if (Files.size(file) > 1 << 20) {
                throw new UsageException(file + ": expected a model card under 1 MiB, found "
                        + Files.size(file) + " bytes");
            }
            ModelCard card = JSON.readValue(file.toFile(), ModelCard.class);
            if (!FORMAT.equals(card.format())) {
                throw new UsageException(file + ": expected format " + FORMAT + ", found " + card.format());
            }
            return Optional.of(card);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            // One line: Jackson's own message adds the source location on a second one.
            throw new UsageException(file + ": not a readable model card (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new UsageException(file + ": not a readable model card (" + e.getMessage() + ")", e);
        }
    }

    /** One line: which trial, which configuration and hash, trained by what, and how well. */
    public String summary() {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "model of trial %d: %s; config sha256 %s; trained in %s on %s"
                + " by nin %s (commit %s), TensorFlow %s", trial, configuration, configSha256.substring(0, Math.min(12, configSha256.length())),
                precision, device, versions.ninVersion(), versions.gitCommit(), versions.tensorflowVersion()));
        if (finalEpoch != null) {
            line.append(String.format(Locale.ROOT, "; after epoch %d: train loss %.4f", finalEpoch.epoch(), finalEpoch.trainLoss()));
            if (finalEpoch.testAccuracy() != null) {
                line.append(String.format(Locale.ROOT, ", test accuracy %.4f", finalEpoch.testAccuracy()));
            }
        }
        return line.toString();
    }
}
