package dev.nin.train;

import dev.nin.config.UsageException;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The precision a run computes in, chosen from what was asked and what the device does fast.
 *
 * @param precision what the graph computes in
 * @param reason one line on why, shown to the user (e.g. {@code auto: avx512_bf16})
 * @param notice a line to show when the choice will disappoint (bf16 asked of a CPU that only
 *     emulates it), if any
 */
public record PrecisionChoice(ComputePrecision precision, String reason, Optional<String> notice) {

    /** What can be asked: a precision, or {@code auto}. */
    public enum Request {
        FP32, BF16, FP16,
        /** Whichever of fp32 and bf16 trains the run's shape faster here, measured ({@link #choose}). */
        AUTO;

        /** The default, the book's: float32 throughout. */
        public static final Request DEFAULT = FP32;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Request parse(String text) {
            for (Request r : values()) {
                if (r.key().equals(text)) {
                    return r;
                }
            }
            throw new UsageException("precision: expected fp32, bf16, fp16 or auto, found '" + text + "'");
        }
    }

    public PrecisionChoice {
        if (precision == null || reason == null || notice == null) {
            throw new IllegalArgumentException("precision choice: expected a precision, a reason and a notice (or none)");
        }
    }

    /**
     * Training speed of one shape (network, input size, batch, threads, device) in fp32 and in bf16,
     * measured in turns in one process.
     *
     * @param fp32 training images/s in fp32
     * @param bf16 training images/s in bf16
     */
    public record Speeds(double fp32, double bf16) {
        public Speeds {
            if (!(fp32 > 0 && bf16 > 0 && Double.isFinite(fp32) && Double.isFinite(bf16))) {
                throw new IllegalArgumentException("precision speeds: expected positive images/s, found fp32 " + fp32
                        + ", bf16 " + bf16);
            }
        }
    }

    /**
     * How much faster than fp32 bf16 must measure for {@code auto} to take it: within 5% the two are
     * the same speed (turns of one probe differ by that much here), and fp32 is the book's precision.
     */
    public static final double AUTO_MARGIN = 1.05;

    /**
     * Chooses for {@code request} on {@code runtime}'s device. {@code auto} is fp32 where the device
     * has no bfloat16 arithmetic (there TensorFlow emulates bf16, measured at 0.05-0.7x fp32, and a
     * probe of it would take minutes); elsewhere it is whichever of fp32 and bf16 {@code measure}
     * finds faster for the run's own shape, bf16 only when it is {@link #AUTO_MARGIN} ahead: a flag
     * says what the CPU can do, not whether TensorFlow's kernels profit (Intel's AVX512_BF16 without
     * AMX measured 0.61-0.63x fp32 in training).
     *
     * @param measure the shape's speeds, asked only for {@code auto} on a device with bf16 arithmetic
     */
    public static PrecisionChoice choose(Request request, RuntimeInfo runtime, Supplier<Speeds> measure) {
        String device = runtime.gpu() ? "this GPU" : "this CPU";
        return switch (request) {
            case FP32 -> new PrecisionChoice(ComputePrecision.FP32, "asked", Optional.empty());
            case AUTO -> runtime.bf16Arithmetic() ? measured(measure.get())
                    : new PrecisionChoice(ComputePrecision.FP32, "auto: fp32, " + runtime.bf16Source()
                            + " (bf16 is emulated there; not measured)", Optional.empty());
            case BF16 -> new PrecisionChoice(ComputePrecision.BF16, "asked", runtime.bf16Arithmetic() ? Optional.empty()
                    : Optional.of("--precision bf16: " + device + " has no bfloat16 arithmetic (" + runtime.bf16Source()
                            + "); TensorFlow emulates it through float32, slower than fp32 (use auto to get bf16 only where it"
                            + " is fast)"));
            case FP16 -> new PrecisionChoice(ComputePrecision.FP16, "asked", runtime.gpu() ? Optional.empty()
                    : Optional.of("--precision fp16: half precision is for GPUs; TensorFlow computes it slowly on a CPU"
                            + " (use bf16 or auto there)"));
        };
    }

    /** As above for a request that needs no measurement; {@code auto} is refused where it would. */
    public static PrecisionChoice choose(Request request, RuntimeInfo runtime) {
        return choose(request, runtime, () -> {
            throw new IllegalStateException("precision auto on " + runtime.bf16Source()
                    + " is chosen by measuring the run's shape (PrecisionProbe), and none was given");
        });
    }

    private static PrecisionChoice measured(Speeds speeds) {
        ComputePrecision faster = speeds.bf16() >= AUTO_MARGIN * speeds.fp32() ? ComputePrecision.BF16 : ComputePrecision.FP32;
        return new PrecisionChoice(faster, String.format(Locale.ROOT,
                "auto: %s, training fp32 %.1f vs bf16 %.1f img/s measured", faster.key(), speeds.fp32(), speeds.bf16()),
                Optional.empty());
    }
}
