package dev.nin.engine;

import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * Whether the GPU multiplies bfloat16 natively: NVIDIA GPUs of compute capability 8.0 (Ampere) and
 * later do. Read with {@code nvidia-smi}, which the driver installs; without it the answer is no.
 */
public final class GpuFeatures {

    /** Compute capability from which NVIDIA GPUs have bfloat16 tensor cores. */
    public static final double BF16_COMPUTE_CAPABILITY = 8.0;

    private GpuFeatures() {}

    /** Whether GPU 0 has bfloat16 arithmetic, from {@code nvidia-smi}; false when that cannot be asked. */
    public static boolean bf16Arithmetic() {
        return computeCapability().orElse(0) >= BF16_COMPUTE_CAPABILITY;
    }

    /** GPU 0's compute capability from {@code nvidia-smi}; empty when that cannot be asked. */
    public static OptionalDouble computeCapability() {
        return computeCapability(queryNvidiaSmi());
    }

    /**
     * The first GPU's compute capability from the output of {@code nvidia-smi
     * --query-gpu=compute_cap --format=csv,noheader} (one line per GPU, e.g. {@code 8.6}).
     */
    static OptionalDouble computeCapability(String output) {
        if (output == null) {
            return OptionalDouble.empty();
        }
        String first = output.strip().lines().findFirst().orElse("").strip();
        try {
            return OptionalDouble.of(Double.parseDouble(first));
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    private static String queryNvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? out : null;
        } catch (java.io.IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
