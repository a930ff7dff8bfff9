package dev.nin.train;

import dev.nin.engine.TensorFlowRuntime;
import dev.nin.model.ComputePrecision;
import dev.nin.model.ModelSpec;
import dev.nin.model.ModelSpecJson;
import dev.nin.model.OptimizerSpec;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Measures the memory a NiN really needs to train or predict: each measurement runs in a fresh JVM
 * ({@link MemoryProbeMain}) and reports how far that process's peak resident memory rose above its
 * resident memory once TensorFlow was loaded. Weights, gradients, optimizer state, activations,
 * TensorFlow's scratch buffers and oneDNN's caches all count; the JVM and the TensorFlow library
 * themselves do not.
 *
 * <p>This is process memory on the CPU. TensorFlow's C API exposes no allocator statistics, and
 * the GPU build is not measured here (see docs/performance.md).
 */
public final class MemoryProbe {

    public enum Mode { TRAINING, PREDICTION }

    /** How the figures were obtained; recorded with them. */
    public static final String METHOD = MeasuredMemory.PROBE_METHOD;

    /** A measurement that takes longer than this is stuck (a 224-px step at batch 128 takes ~6 s here). */
    public static final Duration TIMEOUT = Duration.ofSeconds(300);

    private final int threads;
    private final Duration timeout;

    /** @param threads TensorFlow CPU threads, as training uses (0 = all cores) */
    public MemoryProbe(int threads) {
        this(threads, TIMEOUT);
    }

    /** @param timeout how long one child may take before it is killed and the measurement fails */
    public MemoryProbe(int threads, Duration timeout) {
        this.threads = threads;
        this.timeout = timeout;
    }

    /** The four measurements of {@link MeasuredMemory}; about four JVM starts plus a few steps. */
    public MeasuredMemory measureAll(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer) {
        return measureAll(spec, resize, batch, optimizer, ComputePrecision.FP32);
    }

    /** As above, with the network computing in {@code precision}. */
    public MeasuredMemory measureAll(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer, ComputePrecision precision) {
        return new MeasuredMemory(measure(spec, resize, 1, optimizer, Mode.TRAINING, precision),
                measure(spec, resize, batch, optimizer, Mode.TRAINING, precision),
                measure(spec, resize, 1, optimizer, Mode.PREDICTION, precision),
                measure(spec, resize, batch, optimizer, Mode.PREDICTION, precision), METHOD);
    }

    /**
     * Bytes one training step (or one forward pass) of {@code spec} needs at {@code batch}.
     *
     * @throws IllegalStateException with the child's output when the measurement fails
     */
    public long measure(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer, Mode mode) {
        return measure(spec, resize, batch, optimizer, mode, ComputePrecision.FP32);
    }

    /** As above, with the network computing in {@code precision}. */
    public long measure(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer, Mode mode, ComputePrecision precision) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A small fixed heap and serial GC keep the JVM's own growth out of the figure.
        command.addAll(List.of("-Xms64m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        String natives = System.getProperty(TensorFlowRuntime.NATIVES_ROOT_PROPERTY);
        if (natives != null) {
            command.add("-D" + TensorFlowRuntime.NATIVES_ROOT_PROPERTY + "=" + natives);
        }
        command.addAll(List.of("-cp", classpath(), MemoryProbeMain.class.getName(), mode.name().toLowerCase(Locale.ROOT),
                Integer.toString(resize), Integer.toString(batch), Double.toString(optimizer.momentum()),
                Integer.toString(threads), precision.key()));
        String what = "memory probe (" + mode.name().toLowerCase(Locale.ROOT) + ", batch " + batch + ", " + precision.key() + ")";
        Child child = run(command, ModelSpecJson.write(spec).getBytes(StandardCharsets.UTF_8), timeout, what);
        Matcher m = Pattern.compile("baseline_bytes=(-?\\d+) peak_bytes=(-?\\d+)").matcher(child.output());
        if (child.exitCode() != 0 || !m.find()) {
            throw new IllegalStateException(what + " failed with exit code " + child.exitCode() + ": " + child.output().strip());
        }
        long baseline = Long.parseLong(m.group(1));
        long peak = Long.parseLong(m.group(2));
        if (baseline < 0 || peak < 0) {
            throw new IllegalStateException("memory probe: /proc/self/status is not readable here");
        }
        return Math.max(0, peak - baseline);
    }

    /** A child process that ended: its exit code and everything it printed (standard output and error). */
    record Child(int exitCode, String output) {}

    /**
     * Runs {@code command} with {@code input} on its standard input and waits at most {@code timeout}.
     * The child's output goes to a temporary file, not a pipe, so a child that hangs (or prints more
     * than a pipe holds) cannot block this side before the timeout is checked.
     *
     * @throws IllegalStateException when the child cannot start, or is still running after {@code timeout}
     *     (it is then killed, with its descendants)
     */
    static Child run(List<String> command, byte[] input, Duration timeout, String what) {
        Path log = null;
        Process child = null;
        try {
            log = Files.createTempFile("nin-memory-probe", ".log");
            child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try (OutputStream in = child.getOutputStream()) {
                in.write(input);
            } catch (IOException e) {
                // The child closed its input early (it died or never reads it): its exit code and output say why.
            }
            if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(child);
                String printed = tail(log);
                throw new IllegalStateException(what + ": no answer after " + seconds(timeout) + "; the child process was"
                        + " killed" + (printed.isEmpty() ? " (it printed nothing)" : "; its last output: " + printed));
            }
            return new Child(child.exitValue(), new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(what + ": cannot start " + command.get(0) + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            if (child != null) {
                kill(child);
            }
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException e) {
                    // a temporary file; the system cleans it up
                }
            }
        }
    }

    private static void kill(Process child) {
        child.descendants().forEach(ProcessHandle::destroyForcibly);
        child.destroyForcibly();
        try {
            child.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String seconds(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + " ms";
        }
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** The last few hundred characters the child printed, on one line. */
    private static String tail(Path log) {
        try {
            String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            return text.length() <= 400 ? text : "…" + text.substring(text.length() - 400);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The classpath for the child. Under Quarkus's packaged runner {@code java.class.path} is just
     * {@code quarkus-run.jar}, whose own class loader the child cannot use; the plain jars beside it are.
     */
    static String classpath() {
        String own = System.getProperty("java.class.path");
        List<String> entries = List.of(own.split(File.pathSeparator));
        if (entries.size() == 1 && entries.get(0).endsWith("quarkus-run.jar")) {
            Path app = Path.of(entries.get(0)).toAbsolutePath().getParent();
            List<String> jars = new ArrayList<>();
            for (String dir : List.of("app", "lib/main", "lib/boot")) {
                try (Stream<Path> files = Files.list(app.resolve(dir))) {
                    files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(f -> jars.add(f.toString()));
                } catch (IOException e) {
                    throw new IllegalStateException("memory probe: cannot list " + app.resolve(dir) + " (" + e.getMessage() + ")", e);
                }
            }
            return String.join(File.pathSeparator, jars);
        }
        return own;
    }
}
