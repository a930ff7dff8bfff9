package dev.nin.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.nin.io.Folders;

import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * Per-epoch checkpoints of one trial (TensorFlow's own variable files: weights and optimizer
 * state), so an interrupted trial resumes after its last recorded epoch instead of starting over.
 * Shuffling and dropout are seeded per epoch and step, so a resumed run is the run that was
 * interrupted. Keeps the last two epochs; the caller deletes the folder when the trial ends.
 *
 * <p>An epoch's checkpoint is saved before its row is committed, so every recorded epoch has one,
 * and a kill in between leaves a checkpoint the store knows nothing of. Such a checkpoint is
 * never trusted: resuming discards every checkpoint after the epoch resumed from, and saving an
 * epoch again first removes what is there, its {@code complete} marker before anything else, so a
 * kill during the new save cannot leave old or partial files marked complete.
 *
 * @param folder e.g. {@code ~/.nin/checkpoints/trial-17}
 */
public record Checkpoints(Path folder) {

    private static final String MARKER = "complete";

    /** The trials that have a checkpoint folder ({@code trial-N}) under {@code root}, by id. */
    public static java.util.Map<Long, Checkpoints> under(Path root) {
        java.util.Map<Long, Checkpoints> found = new java.util.TreeMap<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        try (var dirs = Files.list(root)) {
            dirs.filter(d -> d.getFileName().toString().matches("trial-\\d{1,18}"))
                    .forEach(d -> found.put(Long.parseLong(d.getFileName().toString().substring(6)), new Checkpoints(d)));
        } catch (IOException e) {
            // Unlistable: nothing to tidy, and training does not need it.
        }
        return found;
    }

    /** TensorFlow's checkpoint prefix for {@code epoch}. */
    public String prefix(int epoch) {
        return dir(epoch).resolve("variables").toString();
    }

    public boolean has(int epoch) {
        // A checkpoint counts once its marker exists: a kill while saving leaves none.
        return Files.exists(dir(epoch).resolve(MARKER));
    }

    /** The latest complete checkpoint, if any. */
    public OptionalInt latest() {
        return epochs().filter(this::has).max();
    }

    /**
     * Removes every checkpoint after {@code epoch}, complete or not: a trial resuming after
     * {@code epoch} got no further in the store, so what is newer was never recorded.
     */
    public void discardAfter(int epoch) {
        epochs().filter(e -> e > epoch).forEach(this::discard);
    }

    /** Removes every checkpoint of the trial. */
    public void deleteAll() {
        epochs().forEach(this::discard);
        delete(folder);
    }

    /** Makes an empty folder for {@code epoch}'s checkpoint, discarding one saved there before. */
    void prepare(int epoch) {
        try {
            discardOrFail(epoch);
            Files.createDirectories(dir(epoch));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the checkpoint of epoch " + epoch + " in " + folder, e);
        }
    }

    /** Called by the trainer after TensorFlow saved {@code epoch}: mark it whole, drop older ones. */
    void saved(int epoch) {
        try {
            // The marker is written last and exists only after a full save (prepare removed any old one).
            // The files reach the disk before the marker does, and the marker before the epoch's row is
            // committed: after a power cut a marked checkpoint is whole, as after a kill.
            Path dir = dir(epoch);
            try (var files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    force(file);
                }
            }
            Files.write(dir.resolve(MARKER), new byte[0]);
            force(dir.resolve(MARKER));
            force(dir);
            // The epoch's folder in the trial's, and the trial's in the checkpoints root (made at the
            // first save): without these a power cut could lose the folder with everything in it.
            force(folder);
            if (folder.getParent() != null) {
                force(folder.getParent());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint of epoch " + epoch + " in " + folder, e);
        }
        epochs().filter(e -> e <= epoch - 2).forEach(this::discard);
    }

    /** Flushes {@code path} (a file, or a folder's entries) to the disk. */
    private static void force(Path path) throws IOException {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private Path dir(int epoch) {
        return folder.resolve("epoch-" + epoch);
    }

    /** The epochs that have a checkpoint folder, complete or not, in order. */
    private IntStream epochs() {
        if (!Files.isDirectory(folder)) {
            return IntStream.empty();
        }
        try (var dirs = Files.list(folder)) {
            return IntStream.of(dirs.map(p -> p.getFileName().toString()).filter(n -> n.matches("epoch-\\d{1,9}"))
                    .mapToInt(n -> Integer.parseInt(n.substring(6))).sorted().toArray());
        } catch (IOException e) {
            return IntStream.empty();
        }
    }

    /** Removes {@code epoch}'s checkpoint when it can; leftover files waste disk but are never trusted. */
    private void discard(int epoch) {
        try {
            discardOrFail(epoch);
        } catch (IOException e) {
            // Without its marker a leftover is ignored; with it, prepare() fails loudly before reusing it.
        }
    }

    /** Removes {@code epoch}'s checkpoint, its marker first, so no kill midway leaves files marked complete. */
    private void discardOrFail(int epoch) throws IOException {
        Files.deleteIfExists(dir(epoch).resolve(MARKER));
        Folders.deleteRecursively(dir(epoch));
    }

    private static void delete(Path path) {
        try {
            Folders.deleteRecursively(path);
        } catch (IOException e) {
            // Leftover checkpoint files waste disk but harm nothing.
        }
    }
}
