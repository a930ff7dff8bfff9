package dev.nin.train;

import dev.nin.data.IdxReader;
import dev.nin.io.Folders;
import dev.nin.model.NinGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;

/**
 * Exports a trained network as a TensorFlow SavedModel that DJL's TensorFlow engine loads for
 * prediction. Signature {@value #SIGNATURE}: input {@code images} uint8 [N, 28, 28]; outputs
 * {@code logits} and {@code probabilities}, float32 [N, classes], from the evaluation path (no
 * dropout; resize and scaling inside the graph), and its story in {@value ModelCard#FILE}.
 */
public final class SavedModels {

    public static final String SIGNATURE = "serving_default";

    private SavedModels() {}

    /** What was written: the folder, its total size and a SHA-256 over its files (sorted by path). */
    public record Exported(Path folder, long bytes, String sha256) {}

    /**
     * Writes the model and its {@link ModelCard} to {@code folder} (replaced whole: written beside it,
     * then moved, so the folder never holds a model without its card).
     */
    public static Exported export(Session session, NinGraph<?> net, Path folder, ModelCard card) throws IOException {
        Signature signature = Signature.builder().key(SIGNATURE).input(NinGraph.IMAGES, net.images)
                .output(NinGraph.LOGITS, net.logits).output(NinGraph.PROBABILITIES, net.probabilities).build();
        Path partial = folder.resolveSibling(folder.getFileName() + ".partial");
        Folders.deleteRecursively(partial);
        Files.createDirectories(partial.getParent());
        SavedModelBundle.exporter(partial.toString()).withFunction(SessionFunction.create(signature, session)).export();
        card.write(partial);
        Folders.deleteRecursively(folder);
        Files.move(partial, folder, StandardCopyOption.ATOMIC_MOVE);
        return describe(folder);
    }

    /** Size and SHA-256 of an exported folder. */
    public static Exported describe(Path folder) throws IOException {
        List<Path> files;
        try (var walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> folder.relativize(p).toString())).toList();
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long bytes = 0;
            for (Path file : files) {
                byte[] content = Files.readAllBytes(file);
                digest.update(folder.relativize(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(IdxReader.sha256(content).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                bytes += content.length;
            }
            return new Exported(folder, bytes, HexFormat.of().formatHex(digest.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
