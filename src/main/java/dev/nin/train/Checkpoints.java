package dev.nin.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.nin.io.Folders;

import java.util.OptionalInt;

/**
 * Per-epoch checkpoints of one trial (TensorFlow's own variable files: weights and optimizer
 * state), so an interrupted trial resumes after its last recorded epoch instead of starting over.
 * Shuffling and dropout are seeded per epoch and step, so a resumed run is the run that was
 * interrupted. Keeps the last two epochs; the caller deletes the folder when the trial ends.
 *
 * @param folder e.g. {@code ~/.nin/checkpoints/trial-17}
 */
public record Checkpoints(Path folder) {

    /** TensorFlow's checkpoint prefix for {@code epoch}. */
    public String prefix(int epoch) {
        return folder.resolve("epoch-" + epoch).resolve("variables").toString();
    }

    public boolean has(int epoch) {
        Path dir = folder.resolve("epoch-" + epoch);
        // A checkpoint counts once its marker exists: a kill while saving leaves none.
        return Files.exists(dir.resolve("complete"));
    }

    /** Called by the trainer after TensorFlow saved {@code epoch}: mark it whole, drop older ones. */
    void saved(int epoch) {
        try {
            Files.createFile(folder.resolve("epoch-" + epoch).resolve("complete"));
            for (int old = epoch - 2; old >= 1 && Files.exists(folder.resolve("epoch-" + old)); old--) {
                delete(folder.resolve("epoch-" + old));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint of epoch " + epoch + " in " + folder, e);
        }
    }

    /** The latest complete checkpoint, if any. */
    public OptionalInt latest() {
        if (!Files.isDirectory(folder)) {
            return OptionalInt.empty();
        }
        try (var dirs = Files.list(folder)) {
            return dirs.map(p -> p.getFileName().toString()).filter(n -> n.matches("epoch-\\d+"))
                    .mapToInt(n -> Integer.parseInt(n.substring(6))).filter(this::has).max();
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** Removes every checkpoint of the trial. */
    public void deleteAll() {
        delete(folder);
    }

    private static void delete(Path path) {
        try {
            Folders.deleteRecursively(path);
        } catch (IOException e) {
            // Leftover checkpoint files waste disk but harm nothing.
        }
    }

    void prepare(int epoch) {
        try {
            Files.createDirectories(folder.resolve("epoch-" + epoch));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + folder, e);
        }
    }
}
