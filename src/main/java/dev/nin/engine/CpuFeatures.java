package dev.nin.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The instruction-set flags of this machine's CPU, as the kernel lists them in {@code /proc/cpuinfo}.
 * oneDNN, inside TensorFlow, runs bfloat16 convolutions and matrix products natively only with
 * AVX512_BF16 or AMX; without them TensorFlow computes bfloat16 through float32 and rounds, which is
 * slower than float32 itself.
 *
 * @param modelName the CPU's model name ({@code lscpu}'s "Model name"), or {@code unknown}
 * @param flags the lower-case flags of the first processor listed
 */
public record CpuFeatures(String modelName, Set<String> flags) {

    public static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    /** What a machine without a readable {@code /proc/cpuinfo} is taken to have: nothing beyond the baseline. */
    public static final CpuFeatures UNKNOWN = new CpuFeatures("unknown", Set.of());

    public CpuFeatures {
        flags = Set.copyOf(flags);
    }

    /** This machine's, or {@link #UNKNOWN} when {@code /proc/cpuinfo} cannot be read. */
    public static CpuFeatures ofThisMachine() {
        try {
            return parse(Files.readString(PROC_CPUINFO));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** Reads the first processor's {@code model name} and {@code flags} lines of a {@code /proc/cpuinfo} text. */
    public static CpuFeatures parse(String cpuinfo) {
        String model = "unknown";
        Set<String> flags = null;
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (key.equals("flags") && flags == null) {
                flags = new TreeSet<>(Arrays.asList(value.toLowerCase(java.util.Locale.ROOT).split("\\s+")));
            }
        }
        return new CpuFeatures(model, flags == null ? Set.of() : flags);
    }

    /** Whether the CPU multiplies bfloat16 natively: AVX512_BF16 (dot products) or AMX (tile matrix products). */
    public boolean bf16Arithmetic() {
        return flags.contains("avx512_bf16") || flags.contains("amx_bf16");
    }

    /** The flag that gives bfloat16 arithmetic, for messages: {@code amx_bf16}, {@code avx512_bf16} or empty. */
    public String bf16Flag() {
        return flags.contains("amx_bf16") ? "amx_bf16" : flags.contains("avx512_bf16") ? "avx512_bf16" : "";
    }
}
