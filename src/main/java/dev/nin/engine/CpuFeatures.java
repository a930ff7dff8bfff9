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
 * @param identity vendor, family, model and stepping, e.g. {@code GenuineIntel family 6 model 106
 *     stepping 6}: one model name can cover several generations, these numbers do not
 * @param flags the lower-case flags of the first processor listed
 */
public record CpuFeatures(String modelName, String identity, Set<String> flags) {

    public static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");

    /** What a machine without a readable {@code /proc/cpuinfo} is taken to have: nothing beyond the baseline. */
    public static final CpuFeatures UNKNOWN = new CpuFeatures("unknown", "unknown", Set.of());

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

    /** Reads the first processor's identity, {@code model name} and {@code flags} lines of a {@code /proc/cpuinfo} text. */
    public static CpuFeatures parse(String cpuinfo) {
        java.util.Map<String, String> first = new java.util.HashMap<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon >= 0) {
                first.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        String flags = first.get("flags");
        String identity = first.containsKey("vendor_id")
                ? first.get("vendor_id") + " family " + first.getOrDefault("cpu family", "?") + " model "
                        + first.getOrDefault("model", "?") + " stepping " + first.getOrDefault("stepping", "?")
                : "unknown";
        return new CpuFeatures(first.getOrDefault("model name", "unknown"), identity,
                flags == null ? Set.of() : new TreeSet<>(Arrays.asList(flags.toLowerCase(java.util.Locale.ROOT).split("\\s+"))));
    }

    /**
     * One line for figures to say where they came from: identity, model name and the bfloat16
     * flags, e.g. {@code GenuineIntel family 6 model 106 stepping 6 (Intel(R) Xeon(R) Processor @
     * 2.80GHz), avx512_bf16 no, amx_bf16 no}.
     */
    public String description() {
        return identity + " (" + modelName + "), avx512_bf16 " + (flags.contains("avx512_bf16") ? "yes" : "no")
                + ", amx_bf16 " + (flags.contains("amx_bf16") ? "yes" : "no");
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
