package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints without TensorFlow: a save is simulated by the files TensorFlow writes under the
 * epoch's prefix. What is checked is what a kill can leave behind.
 */
class CheckpointsTest {

    @TempDir
    Path home;

    private Checkpoints checkpoints() {
        return new Checkpoints(home.resolve("trial-1"));
    }

    /** What Trainer does for an epoch: prepare, TensorFlow's save, then the marker. */
    private static void save(Checkpoints checkpoints, int epoch) throws Exception {
        checkpoints.prepare(epoch);
        writeVariables(checkpoints, epoch);
        checkpoints.saved(epoch);
    }

    private static void writeVariables(Checkpoints checkpoints, int epoch) throws Exception {
        Files.writeString(Path.of(checkpoints.prefix(epoch) + ".index"), "index of epoch " + epoch);
        Files.writeString(Path.of(checkpoints.prefix(epoch) + ".data-00000-of-00001"), "weights of epoch " + epoch);
    }

    /** The kill: epoch 1 saved and marked, its row never committed; the rerun trains epoch 1 again. */
    @Test
    void anEpochSavedAgainReplacesItsCheckpoint() throws Exception {
        Checkpoints checkpoints = checkpoints();
        save(checkpoints, 1);
        save(checkpoints, 1);
        assertTrue(checkpoints.has(1));
        assertEquals("index of epoch 1", Files.readString(Path.of(checkpoints.prefix(1) + ".index")));
    }

    @Test
    void preparingAnEpochAgainRemovesItsMarkerSoAKillDuringTheSaveLeavesNothingComplete() throws Exception {
        Checkpoints checkpoints = checkpoints();
        save(checkpoints, 1);
        checkpoints.prepare(1);
        assertFalse(checkpoints.has(1), "the old marker is gone before TensorFlow writes a byte");
        try (var files = Files.list(Path.of(checkpoints.prefix(1)).getParent())) {
            assertEquals(0, files.count(), "and the old files with it");
        }
        // A kill halfway through TensorFlow's save: one file written, no marker.
        Files.writeString(Path.of(checkpoints.prefix(1) + ".index"), "partial");
        assertFalse(checkpoints.has(1));
        assertEquals(OptionalInt.empty(), checkpoints.latest());
    }

    @Test
    void resumingDiscardsEveryCheckpointNewerThanTheRecordedEpoch() throws Exception {
        Checkpoints checkpoints = checkpoints();
        save(checkpoints, 1);
        save(checkpoints, 2);
        checkpoints.prepare(3);
        writeVariables(checkpoints, 3);
        checkpoints.discardAfter(1);
        assertTrue(checkpoints.has(1));
        assertFalse(checkpoints.has(2), "complete, but its epoch was never recorded");
        assertFalse(Files.exists(Path.of(checkpoints.prefix(2)).getParent()));
        assertFalse(Files.exists(Path.of(checkpoints.prefix(3)).getParent()), "partial ones go too");
        assertEquals(OptionalInt.of(1), checkpoints.latest());
        checkpoints.discardAfter(0);
        assertEquals(OptionalInt.empty(), checkpoints.latest());
    }

    @Test
    void keepsTheLastTwoEpochs() throws Exception {
        Checkpoints checkpoints = checkpoints();
        for (int epoch = 1; epoch <= 4; epoch++) {
            save(checkpoints, epoch);
        }
        assertFalse(checkpoints.has(1) || checkpoints.has(2));
        assertFalse(Files.exists(Path.of(checkpoints.prefix(2)).getParent()));
        assertTrue(checkpoints.has(3) && checkpoints.has(4));
        assertEquals(OptionalInt.of(4), checkpoints.latest());
    }

    @Test
    void deleteAllRemovesTheFolder() throws Exception {
        Checkpoints checkpoints = checkpoints();
        save(checkpoints, 1);
        checkpoints.deleteAll();
        assertFalse(Files.exists(checkpoints.folder()));
        checkpoints.deleteAll();
        checkpoints.discardAfter(0);
        assertEquals(OptionalInt.empty(), checkpoints.latest());
    }
}
