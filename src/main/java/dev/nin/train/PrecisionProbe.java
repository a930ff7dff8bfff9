package dev.nin.train;

import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;
import dev.nin.model.ModelSpec;
import dev.nin.model.ModelSpecJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code --precision auto} by measurement: times a few training steps of the run's own shape in
 * fp32 and bf16, in turns, and keeps the figures in {@code HOME/precision-probes.json}, keyed by
 * what the speed depends on: the processor ({@link RuntimeInfo#processor()}), TensorFlow's version,
 * oneDNN, the device, the threads, the network, the input size and the batch. A change of any of
 * them is a new key, so it is measured again; the same key on the same machine costs nothing.
 */
public final class PrecisionProbe {

    /** The file under the nin home. */
    public static final String FILE = "precision-probes.json";
    /** Untimed steps, then timed ones, per precision and turn; two turns, the faster of each kept. */
    static final int WARMUP = 1;
    static final int STEPS = 2;
    static final int TURNS = 2;

    /** Measures one shape's training speeds; {@link #timed} runs real steps, tests pass fakes. */
    @FunctionalInterface
    public interface Meter {
        PrecisionChoice.Speeds measure(ModelSpec spec, int resize, int batch);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final RuntimeInfo runtime;
    private final int threads;
    private final Meter meter;
    private final Consumer<String> progress;

    /**
     * @param home the nin home, where the figures are kept
     * @param threads TensorFlow CPU threads of the runs (0 = all cores)
     * @param progress told, in one line, when a shape is about to be measured (it takes seconds)
     */
    public PrecisionProbe(Path home, RuntimeInfo runtime, int threads, Consumer<String> progress) {
        this(home.resolve(FILE), runtime, threads, timed(runtime, threads), progress);
    }

    PrecisionProbe(Path file, RuntimeInfo runtime, int threads, Meter meter, Consumer<String> progress) {
        this.file = file;
        this.runtime = runtime;
        this.threads = threads;
        this.meter = meter;
        this.progress = progress;
    }

    /** {@link PrecisionChoice#choose} for a run of {@code spec} at {@code resize} px, batch {@code batch}. */
    public PrecisionChoice choose(PrecisionChoice.Request request, ModelSpec spec, int resize, int batch) {
        return PrecisionChoice.choose(request, runtime, () -> speeds(spec, resize, batch));
    }

    /** The shape's speeds: kept ones when this key was measured before, else measured now and kept. */
    PrecisionChoice.Speeds speeds(ModelSpec spec, int resize, int batch) {
        String key = key(spec, resize, batch);
        ObjectNode kept = read();
        JsonNode entry = kept.path("probes").path(key);
        if (entry.path("fp32").isNumber() && entry.path("bf16").isNumber()) {
            try {
                return new PrecisionChoice.Speeds(entry.get("fp32").asDouble(), entry.get("bf16").asDouble());
            } catch (IllegalArgumentException e) {
                // A hand-edited or damaged entry: measured again below, and replaced.
            }
        }
        progress.accept(String.format(Locale.ROOT, "precision auto: measuring fp32 and bf16 training of %s at %d px, batch %d"
                + " (kept in %s)", spec.variant(), resize, batch, file));
        PrecisionChoice.Speeds speeds = meter.measure(spec, resize, batch);
        ObjectNode probes = kept.get("probes") instanceof ObjectNode o ? o : kept.putObject("probes");
        probes.putObject(key).put("fp32", speeds.fp32()).put("bf16", speeds.bf16()).put("measured", Instant.now().toString());
        write(kept);
        return speeds;
    }

    /** What a speed depends on, as one readable string. */
    String key(ModelSpec spec, int resize, int batch) {
        return String.join(" | ", runtime.processor(), "TensorFlow " + runtime.tensorflowVersion(),
                "oneDNN " + (runtime.oneDnn() ? "on" : "off"), runtime.device(),
                "threads " + (threads == 0 ? "all" : Integer.toString(threads)), ModelSpecJson.write(spec),
                "resize " + resize, "batch " + batch);
    }

    /** The kept figures, or none when the file is missing or unreadable (then it is written anew). */
    private ObjectNode read() {
        try {
            JsonNode root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root instanceof ObjectNode object && (!object.has("probes") || object.get("probes").isObject())) {
                return object;
            }
        } catch (IOException | RuntimeException e) {
            // Missing or not JSON: nothing is kept yet.
        }
        return JSON.createObjectNode();
    }

    /** Writes beside the file and renames over it, so a reader never sees half a file. */
    private void write(ObjectNode root) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), FILE, ".tmp");
            try {
                Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("precision auto: cannot keep the measured speeds in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Real steps on synthetic images: fp32 and bf16 in turns, the faster turn of each kept. */
    static Meter timed(RuntimeInfo runtime, int threads) {
        return (spec, resize, batch) -> {
            Benchmark bench = new Benchmark(runtime, threads);
            double fp32 = 0;
            double bf16 = 0;
            for (int turn = 0; turn < TURNS; turn++) {
                fp32 = Math.max(fp32, bench.training(spec, resize, batch, WARMUP, STEPS, ComputePrecision.FP32).imagesPerSecond());
                bf16 = Math.max(bf16, bench.training(spec, resize, batch, WARMUP, STEPS, ComputePrecision.BF16).imagesPerSecond());
            }
            return new PrecisionChoice.Speeds(fp32, bf16);
        };
    }
}
