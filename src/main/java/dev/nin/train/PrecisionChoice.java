package dev.nin.train;

import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;

import java.util.Locale;
import java.util.Optional;

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
        /** bf16 where the device multiplies bfloat16 natively, else fp32. */
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
            throw new IllegalArgumentException("precision: expected fp32, bf16, fp16 or auto, found '" + text + "'");
        }
    }

    public PrecisionChoice {
        if (precision == null || reason == null || notice == null) {
            throw new IllegalArgumentException("precision choice: expected a precision, a reason and a notice (or none)");
        }
    }

    /** Chooses for {@code request} on {@code runtime}'s device. */
    public static PrecisionChoice choose(Request request, RuntimeInfo runtime) {
        String device = runtime.gpu() ? "this GPU" : "this CPU";
        return switch (request) {
            case FP32 -> new PrecisionChoice(ComputePrecision.FP32, "asked", Optional.empty());
            case AUTO -> runtime.bf16Arithmetic()
                    ? new PrecisionChoice(ComputePrecision.BF16, "auto: " + runtime.bf16Source(), Optional.empty())
                    : new PrecisionChoice(ComputePrecision.FP32, "auto: " + runtime.bf16Source(), Optional.empty());
            case BF16 -> new PrecisionChoice(ComputePrecision.BF16, "asked", runtime.bf16Arithmetic() ? Optional.empty()
                    : Optional.of("--precision bf16: " + device + " has no bfloat16 arithmetic (" + runtime.bf16Source()
                            + "); TensorFlow emulates it through float32, slower than fp32 (use auto to get bf16 only where it"
                            + " is fast)"));
            case FP16 -> new PrecisionChoice(ComputePrecision.FP16, "asked", runtime.gpu() ? Optional.empty()
                    : Optional.of("--precision fp16: half precision is for GPUs; TensorFlow computes it slowly on a CPU"
                            + " (use bf16 or auto there)"));
        };
    }
}
