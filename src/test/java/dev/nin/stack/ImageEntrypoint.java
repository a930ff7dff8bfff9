package dev.nin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * nin as its image runs it, without Docker: the Dockerfile's ENTRYPOINT (docker/nin-entrypoint.sh)
 * with /opt/nin pointed at the checkout's target/ (the image copies the same layout), in an
 * environment of only what the image and the caller set, as a container's is.
 */
final class ImageEntrypoint {

    private static final Path TARGET = Path.of("target").toAbsolutePath();

    private final Path script;
    private final Map<String, String> env = new LinkedHashMap<>();

    /**
     * @param dataFolder where the entrypoint looks for mounted Fashion-MNIST (Debian's folder, unless a test moves it)
     */
    ImageEntrypoint(Path workDir, Substitutions subs, String gitCommit, Path home, Path dataFolder) throws IOException {
        List<String> entrypoint = StackFiles.entrypoint();
        if (entrypoint.size() != 1) {
            throw new AssertionError("Dockerfile: expected ENTRYPOINT [\"/opt/nin/bin/nin-entrypoint\"], found " + entrypoint);
        }
        Path source = StackFiles.copiedTo(entrypoint.get(0));
        String text = Files.readString(source);
        text = subs.apply(source.toString(), text, "root=/opt/nin\n", "root=" + TARGET + "\n",
                "the image's /opt/nin holds what the checkout's target/ holds");
        text = subs.apply(source.toString(), text, "data=/usr/share/datasets/fashion-mnist\n", "data=" + dataFolder + "\n",
                "where the CUDA image's data is mounted");
        script = Files.createDirectories(workDir).resolve("nin-entrypoint");
        Files.writeString(script, text);
        Map<String, String> image = StackFiles.imageEnvironment(Map.of("GIT_COMMIT", gitCommit));
        String imageHome = image.get("NIN_HOME");
        image.put("NIN_HOME", subs.apply("Dockerfile ENV", imageHome, imageHome, home.toString(), "a temporary nin home"));
        env.putAll(image);
        // A container's PATH finds the image's java; here, the JVM running the tests.
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", home.getParent().toString());
    }

    /** The image's environment, for tests to compare against. */
    Map<String, String> environment() {
        return Map.copyOf(env);
    }

    ImageEntrypoint env(Map<String, String> more) {
        env.putAll(more);
        return this;
    }

    /** Starts {@code sh ENTRYPOINT args...} with only the image's and the caller's environment. */
    Process start(Path output, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(output.toFile())
                .redirectError(output.resolveSibling(output.getFileName() + ".err").toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder.start();
    }

    record Result(int exitCode, String out, String err) {}

    Result run(Path output, List<String> args) throws Exception {
        Process process = start(output, args);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("nin " + args + " did not finish in 10 minutes");
        }
        return new Result(process.exitValue(), Files.readString(output),
                Files.readString(output.resolveSibling(output.getFileName() + ".err")));
    }
}
