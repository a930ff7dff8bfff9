package dev.nin.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged app ({@code java -jar target/quarkus-app/quarkus-run.jar}) as a separate
 * process with its own environment, as a user's shell would: for tests that kill it, run two at
 * once, or point it at another database.
 */
final class NinProcess {

    private static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar");

    private final Map<String, String> env = new HashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();

    /** A nin with its own home and embedded-database port. */
    static NinProcess withHome(Path home, int port) {
        return new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_EMBEDDED_PORT", Integer.toString(port));
    }

    NinProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** A JVM option placed after this class's own, so a {@code -D} given here wins over theirs (e.g. {@code -Dnin.natives.root}). */
    NinProcess jvm(String option) {
        jvmOptions.add(option);
        return this;
    }

    /** What a finished process printed and returned. */
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    Process start(Path outFile, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // The launcher's options (nin: JVM_OPTS and QUIET), so tests run what users run, and start in half the time.
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx1g", "-Xlog:disable", "-Xlog:all=error:stderr",
                "-XX:+DisplayVMOutputToStderr", "-XX:-PrintWarnings"));
        command.add("-Dnin.natives.root=" + Path.of("target/natives").toAbsolutePath());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", APP.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(outFile.toFile())
                .redirectError(outFile.resolveSibling(outFile.getFileName() + ".err").toFile());
        builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        builder.environment().remove("NIN_DB_URL");
        builder.environment().putAll(env);
        return builder.start();
    }

    Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("nin-out", ".txt");
        Process process = start(out, args);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("nin " + String.join(" ", args) + " did not finish in 10 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(out.resolveSibling(out.getFileName() + ".err")));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
