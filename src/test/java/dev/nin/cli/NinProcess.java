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

    /** The launcher's JVM options (nin: JVM_OPTS and QUIET), so tests run what users run, and start in half the time. */
    private static final List<String> LAUNCHER_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx1g",
            "-Xlog:disable", "-Xlog:all=error:stderr", "-XX:+DisplayVMOutputToStderr", "-XX:-PrintWarnings");

    /** The class-data archive of this build, once made; empty when the JVM would not make one. */
    private static java.util.Optional<Path> archive;

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
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(LAUNCHER_OPTIONS);
        archive().ifPresent(jsa -> command.add("-XX:SharedArchiveFile=" + jsa));
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

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A class-data-sharing archive of this build, made once per test run as the launcher makes its
     * own (the classes a {@code --help} loads, Quarkus, Hibernate and picocli among them): the
     * tests start some hundreds of processes, and each maps those classes instead of loading them,
     * about a third off every start. Keyed by the jar's time, so a rebuilt app gets a new one; the
     * JVM itself refuses an archive that does not match and then starts as without it.
     */
    private static synchronized java.util.Optional<Path> archive() {
        if (archive == null) {
            archive = java.util.Optional.empty();
            try {
                Path jsa = Path.of("target", "nin-it-" + Files.getLastModifiedTime(APP).toMillis() + ".jsa").toAbsolutePath();
                if (!Files.exists(jsa)) {
                    // Per process: failsafe's two forks may both make it; the rename keeps one whole archive.
                    Path tmp = jsa.resolveSibling(jsa.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
                    List<String> dump = new ArrayList<>(List.of(java()));
                    dump.addAll(LAUNCHER_OPTIONS);
                    dump.addAll(List.of("-XX:ArchiveClassesAtExit=" + tmp, "-Dnin.natives.root=" + Path.of("target/natives").toAbsolutePath(),
                            "-jar", APP.toString(), "--help"));
                    Process p = new ProcessBuilder(dump).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    if (p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.size(tmp) > 0) {
                        Files.move(tmp, jsa, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } else {
                        p.destroyForcibly();
                        Files.deleteIfExists(tmp);
                    }
                }
                if (Files.exists(jsa)) {
                    archive = java.util.Optional.of(jsa);
                }
            } catch (IOException e) {
                // No archive: the processes start as without one, only slower.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return archive;
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
