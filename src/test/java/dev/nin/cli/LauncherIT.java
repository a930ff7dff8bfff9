package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The {@code ./nin} launcher on a checkout that was copied or moved, or whose jars changed: the
 * JVM would refuse the class-data-sharing archive made for the old jars and print
 * {@code [warning][cds,dynamic] Unable to use shared archive} on every command. The launcher must
 * make a new archive for the jars it runs, use it, and never let JVM noise reach stdout or stderr.
 * Runs the real launcher on a copy of the built app (the TensorFlow natives are linked, not copied:
 * {@code --help} and {@code summary} never load them).
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("nin").toAbsolutePath();
    private static final Path APP = Path.of("target", "quarkus-app").toAbsolutePath();
    private static final Path NATIVES = Path.of("target", "natives").toAbsolutePath();

    private record Run(int exitCode, String out, String err) {}

    @Test
    void aCopiedMovedOrRebuiltCheckoutStartsWithItsOwnArchiveAndNoJvmNoise() throws Exception {
        Path root = StoreIT.fresh("launcher-it");
        Path first = checkout(root.resolve("first"));
        assertQuiet(run(first, "--help"), "Usage: nin");
        assertArchiveInUse(first);

        // A copy that keeps the jars' times (cp -a), then the original rebuilt: the copied archive
        // names the original's jars, which changed.
        Path copy = root.resolve("copy");
        copyTree(first, copy);
        touchJars(first);
        assertQuiet(run(copy, "--help"), "Usage: nin");
        assertQuiet(run(copy, "summary"), "NiN variant standard");
        assertArchiveInUse(copy);

        // The original, its jars newer than its archive.
        assertQuiet(run(first, "summary"), "NiN variant standard");
        assertArchiveInUse(first);

        // The copy moved elsewhere.
        Path moved = root.resolve("moved");
        Files.move(copy, moved);
        assertQuiet(run(moved, "--help"), "Usage: nin");
        assertQuiet(run(moved, "summary"), "NiN variant standard");
        assertArchiveInUse(moved);
        try (Stream<Path> archives = Files.list(moved.resolve("target"))) {
            assertEquals(1, archives.filter(p -> p.getFileName().toString().endsWith(".jsa")).count(),
                    "one archive per checkout: the copied one is removed, not left to waste disk");
        }
    }

    /** The launcher, the built app and a link to the natives, with the times the build gave them. */
    private static Path checkout(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("target"));
        Files.copy(LAUNCHER, dir.resolve("nin"), StandardCopyOption.COPY_ATTRIBUTES);
        copyTree(APP, dir.resolve("target").resolve("quarkus-app"));
        Files.createSymbolicLink(dir.resolve("target").resolve("natives"), NATIVES);
        return dir;
    }

    /** Like {@code cp -a}: times kept, links copied as links. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** What a rebuild does to the jars the archive recorded: newer times. */
    private static void touchJars(Path checkout) throws IOException {
        FileTime later = FileTime.fromMillis(System.currentTimeMillis() + 5_000);
        try (Stream<Path> walk = Files.walk(checkout.resolve("target").resolve("quarkus-app"))) {
            for (Path jar : walk.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.setLastModifiedTime(jar, later);
            }
        }
    }

    private static Run run(Path checkout, String... args) throws Exception {
        return run(checkout, Map.of(), args);
    }

    private static Run run(Path checkout, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", checkout.resolve("nin").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("launcher-it", ".out");
        Path err = Files.createTempFile("launcher-it", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(checkout.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("NIN_JAVA_OPTS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().put("NIN_HOME", checkout.resolve("home").toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(3, TimeUnit.MINUTES), "nin " + String.join(" ", args) + " did not finish");
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void assertQuiet(Run run, String firstLine) {
        String all = "stdout:\n" + run.out() + "\nstderr:\n" + run.err();
        assertEquals(0, run.exitCode(), all);
        assertEquals("", run.err(), "nothing on stderr: " + all);
        assertTrue(run.out().startsWith(firstLine), "stdout starts with nin's own output: " + all);
        assertTrue(!run.out().contains("[warning]") && !run.out().contains("[cds") && !run.out().contains("VM warning"), all);
    }

    /**
     * The start-up speed comes from the archive, so it must be in use: with -Xshare:on (NIN_JAVA_OPTS
     * come last) the JVM exits rather than start without it, and its log names the archive it mapped.
     */
    private static void assertArchiveInUse(Path checkout) throws Exception {
        Run run = run(checkout, Map.of("NIN_JAVA_OPTS", "-Xshare:on -Xlog:cds=info:stdout"), "--version");
        String all = run.out() + run.err();
        assertEquals(0, run.exitCode(), "the JVM maps " + checkout + "'s archive:\n" + all);
        assertTrue(run.out().contains("Opened archive " + checkout.resolve("target").resolve("nin-")), all);
        assertTrue(run.out().contains("Mapped dynamic region"), all);
    }
}
