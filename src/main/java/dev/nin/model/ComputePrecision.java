package dev.nin.model;

import dev.nin.config.UsageException;
import java.util.Locale;

import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * The number type a training graph computes its activations and convolutions in: mixed precision.
 * Not {@link Precision}, which is the type of the graph's variables (float32 in training, float64
 * for gradient checks): with bf16 or fp16 the weights stay float32 (the master copy), each step
 * casts them down for the forward and backward passes, and the gradients and the update are float32
 * again. The loss, softmax and batch-norm statistics are computed in float32 too.
 */
public enum ComputePrecision {
    /** The book's: everything in float32. */
    FP32(TFloat32.class, 4, false),
    /** bfloat16: float32's exponent range with 8 bits of mantissa; needs no loss scaling. */
    BF16(TBfloat16.class, 2, false),
    /**
     * IEEE half: 5 exponent bits, so small gradients underflow to zero; the loss is scaled up
     * before the backward pass and the gradients down after it (dynamic loss scaling).
     */
    FP16(TFloat16.class, 2, true);

    private final Class<? extends TFloating> type;
    private final int bytes;
    private final boolean lossScaling;

    ComputePrecision(Class<? extends TFloating> type, int bytes, boolean lossScaling) {
        this.type = type;
        this.bytes = bytes;
        this.lossScaling = lossScaling;
    }

    /** TensorFlow's type of activations and the weights' working copies. */
    @SuppressWarnings("unchecked")
    public <C extends TFloating> Class<C> type() {
        return (Class<C>) type;
    }

    /** Bytes per activation value. */
    public int bytesPerValue() {
        return bytes;
    }

    /** Whether training scales the loss so that small gradients survive the backward pass. */
    public boolean lossScaling() {
        return lossScaling;
    }

    /** Name on the command line, in sweep files and in the store: {@code fp32}, {@code bf16}, {@code fp16}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * What a trial that ran computed in, from the store's {@code trials.compute_precision}: NULL for
     * trials recorded before that column existed (migration V4), which all computed in float32.
     */
    public static ComputePrecision recorded(String stored) {
        return parse(recordedKey(stored));
    }

    /** As {@link #recorded}, as its key, and what was stored as it is when this nin does not know it. */
    public static String recordedKey(String stored) {
        return stored == null ? FP32.key() : stored;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ComputePrecision parse(String text) {
        for (ComputePrecision p : values()) {
            if (p.key().equals(text)) {
                return p;
            }
        }
        throw new UsageException("precision: expected fp32, bf16 or fp16, found '" + text + "'");
    }
}
