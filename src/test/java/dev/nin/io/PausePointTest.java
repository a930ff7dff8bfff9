package dev.nin.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kill-test hook is off unless the environment names a known point, an epoch and an existing folder. */
class PausePointTest {

    @TempDir
    Path dir;

    @Test
    void unsetOrEmptyMeansNoPause() {
        assertEquals(Optional.empty(), PausePoint.Target.parse(Map.of()));
        assertEquals(Optional.empty(), PausePoint.Target.parse(Map.of("NIN_TEST_PAUSE_AT", "", "NIN_TEST_PAUSE_DIR", dir.toString())));
    }

    @Test
    void aPointAndEpochInAnExistingFolderPauseThereOnly() {
        PausePoint.Target target = PausePoint.Target.parse(Map.of("NIN_TEST_PAUSE_AT", "checkpoint-marked@2",
                "NIN_TEST_PAUSE_DIR", dir.toString())).orElseThrow();
        assertTrue(target.matches(PausePoint.CHECKPOINT_MARKED, 2));
        assertTrue(!target.matches(PausePoint.CHECKPOINT_MARKED, 1) && !target.matches(PausePoint.EPOCH_RECORDED, 2));
        assertEquals(dir.resolve("paused-checkpoint-marked-2"), target.marker(PausePoint.CHECKPOINT_MARKED, 2));
    }

    @Test
    void anythingElseIsIgnored() throws Exception {
        Path file = Files.createFile(dir.resolve("a-file"));
        for (String[] bad : new String[][] {{"checkpoint-marked", dir.toString()}, {"checkpoint-marked@0", dir.toString()},
                {"checkpoint-marked@-1", dir.toString()}, {"no-such-point@1", dir.toString()}, {"epoch-recorded@1@2", dir.toString()},
                {"../../etc@1", dir.toString()}, {"epoch-recorded@1", dir.resolve("missing").toString()},
                {"epoch-recorded@1", file.toString()}}) {
            assertEquals(Optional.empty(), PausePoint.Target.parse(Map.of("NIN_TEST_PAUSE_AT", bad[0], "NIN_TEST_PAUSE_DIR", bad[1])),
                    String.join(" ", bad));
        }
        assertEquals(Optional.empty(), PausePoint.Target.parse(Map.of("NIN_TEST_PAUSE_AT", "epoch-recorded@1")), "no folder");
    }
}
