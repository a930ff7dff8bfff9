package dev.nin.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * nin as its image runs it (Dockerfile's ENTRYPOINT and ENV, the compose worker's command), without
 * Docker: what a container says when it is started without the settings it needs.
 */
class ContainerIT {

    private static final Path DEBIAN_DATA = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void withoutNinDbUrlAContainerSaysWhatToSetAndTouchesNothing() throws Exception {
        Path work = Files.createTempDirectory("nin-container-it");
        Path home = work.resolve("home/.nin");
        Substitutions subs = new Substitutions();
        ImageEntrypoint image = new ImageEntrypoint(work, subs, "0123abcd", home, DEBIAN_DATA);
        // The image itself rules out the embedded server; nothing here sets it.
        assertEquals("false", image.environment().get("NIN_DB_EMBEDDED"), "the Dockerfile's ENV sets NIN_DB_EMBEDDED=false");
        assertFalse(image.environment().containsKey("NIN_DB_URL"));
        StackFiles stack = StackFiles.read();
        ImageEntrypoint.Result result = image.run(work.resolve("out.txt"), stack.command("worker"));
        subs.print("ContainerIT");
        assertEquals(2, result.exitCode(), result.out() + result.err());
        List<String> lines = result.err().lines().toList();
        assertEquals(1, lines.size(), "one line: " + result.err());
        for (String variable : List.of("NIN_DB_URL", "NIN_DB_USER", "NIN_DB_PASSWORD")) {
            assertTrue(lines.get(0).contains(variable), "names " + variable + ": " + lines.get(0));
        }
        assertEquals("", result.out());
        assertFalse(Files.exists(home), "nothing made in NIN_HOME");
    }

    @Test
    void theCudaImageChecksTheMountedDataBeforeStarting() throws Exception {
        Path work = Files.createTempDirectory("nin-container-it");
        Path empty = Files.createDirectories(work.resolve("mount"));
        ImageEntrypoint image = new ImageEntrypoint(work.resolve("entry"), new Substitutions(), "0123abcd", work.resolve("home/.nin"),
                empty).env(Map.of("NIN_IMAGE_DATA", "mounted"));
        ImageEntrypoint.Result missing = image.run(work.resolve("missing.txt"), List.of("--version"));
        // Exit code 3, nin's own for missing data, and one line that says where to mount what.
        assertEquals(3, missing.exitCode(), missing.out() + missing.err());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains(empty.toString()) && missing.err().contains("train-images-idx3-ubyte"), missing.err());

        ImageEntrypoint mounted = new ImageEntrypoint(work.resolve("entry2"), new Substitutions(), "0123abcd",
                work.resolve("home/.nin"), DEBIAN_DATA).env(Map.of("NIN_IMAGE_DATA", "mounted"));
        ImageEntrypoint.Result found = mounted.run(work.resolve("found.txt"), List.of("--version"));
        assertEquals(0, found.exitCode(), "with Debian's files mounted it starts: " + found.out() + found.err());
    }
}
