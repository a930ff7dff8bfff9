package dev.nin.train;

import dev.nin.engine.TensorFlowRuntime;
import dev.nin.model.ModelSpec;
import dev.nin.model.ModelSpecJson;
import dev.nin.model.OptimizerSpec;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * the GPU build is not measured here (see README).
 */
public final class MemoryProbe {

    public enum Mode { TRAINING, PREDICTION }

    /** How the figures were obtained; recorded with them. */
    public static final String METHOD = MeasuredMemory.PROBE_METHOD;

    /** A measurement that takes longer than this is stuck (a 224-px step at batch 128 takes ~6 s here). */
    private static final long TIMEOUT_SECONDS = 300;

    private final int threads;

    /** @param threads TensorFlow CPU threads, as training uses (0 = all cores) */
    public MemoryProbe(int threads) {
        this.threads = threads;
    }

    /** The four measurements of {@link MeasuredMemory}; about four JVM starts plus a few steps. */
    public MeasuredMemory measureAll(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer) {
        return new MeasuredMemory(measure(spec, resize, 1, optimizer, Mode.TRAINING),
                measure(spec, resize, batch, optimizer, Mode.TRAINING),
                measure(spec, resize, 1, optimizer, Mode.PREDICTION),
                measure(spec, resize, batch, optimizer, Mode.PREDICTION), METHOD);
    }

    /**
     * Bytes one training step (or one forward pass) of {@code spec} needs at {@code batch}.
     *
     * @throws IllegalStateException with the child's output when the measurement fails
     */
    public long measure(ModelSpec spec, int resize, int batch, OptimizerSpec optimizer, Mode mode) {
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
                Integer.toString(threads)));
        try {
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = child.getOutputStream()) {
                in.write(ModelSpecJson.write(spec).getBytes(StandardCharsets.UTF_8));
            }
            byte[] output = child.getInputStream().readAllBytes();
            if (!child.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("memory probe: no answer after " + TIMEOUT_SECONDS + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("baseline_bytes=(-?\\d+) peak_bytes=(-?\\d+)").matcher(text);
            if (child.exitValue() != 0 || !m.find()) {
                throw new IllegalStateException("memory probe (" + mode.name().toLowerCase(Locale.ROOT) + ", batch " + batch
                        + ") failed with exit code " + child.exitValue() + ": " + text.strip());
            }
            long baseline = Long.parseLong(m.group(1));
            long peak = Long.parseLong(m.group(2));
            if (baseline < 0 || peak < 0) {
                throw new IllegalStateException("memory probe: /proc/self/status is not readable here");
            }
            return Math.max(0, peak - baseline);
        } catch (IOException e) {
            throw new IllegalStateException("memory probe: cannot start " + command.get(0) + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("memory probe: interrupted", e);
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
