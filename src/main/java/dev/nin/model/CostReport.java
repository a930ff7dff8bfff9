package dev.nin.model;

import java.util.List;

/**
 * Parameters, FLOPs and memory of a {@link NetworkPlan}, counted analytically from the spec.
 *
 * <p>Conventions: one multiply-add is two FLOPs; only convolutions are counted (bias, ReLU and
 * pooling add under 1%); a training step costs three forward passes per image (forward, gradient
 * with respect to inputs, gradient with respect to weights). Memory is float32, 4 bytes a value,
 * except activations under mixed precision ({@link ComputePrecision}), 2 bytes a value.
 *
 * @param plan the network unrolled for one input size
 */
public record CostReport(NetworkPlan plan) {

    /** Bytes per float32 value. */
    public static final int BYTES_PER_VALUE = 4;

    /** Forward + two backward passes of the same size. */
    public static final int TRAINING_PASSES = 3;

    public static CostReport of(ModelSpec spec, int resize) {
        return new CostReport(NetworkPlan.of(spec, resize));
    }

    public long params() {
        return plan.params();
    }

    /** Multiply-adds per image, forward pass. */
    public long multiplyAdds() {
        return plan.multiplyAdds();
    }

    /** FLOPs per image, forward pass (2 × multiply-adds). */
    public long forwardFlops() {
        return 2 * multiplyAdds();
    }

    /** FLOPs per image for one training step (forward and backward). */
    public long trainingFlops() {
        return TRAINING_PASSES * forwardFlops();
    }

    /** Elements of the resized input image, 1×R×R. */
    public long inputElements() {
        return (long) plan.spec().inputChannels() * plan.resize() * plan.resize();
    }

    /** Sum of every layer's output elements for one image. */
    public long activationElements() {
        return plan.layers().stream().mapToLong(l -> l.output().elements()).sum();
    }

    public long weightBytes() {
        return params() * BYTES_PER_VALUE;
    }

    /**
     * Tensors of a convolution's output size, between it and its ReLU, that the backward pass keeps
     * when batch norm sits there: the convolution's output (the fused batch norm's gradient reads
     * it, with its saved per-channel statistics) and the normalised values (TensorFlow's C++ gradient
     * of ReLU reads its input). Measured at 96 px, batch 128: 451.6 MiB against 413 MiB counted this
     * way. (Built from plain ops, as before 2026-12-07, it kept four: 4.09 GiB at 224.)
     */
    static final int KEPT_PER_BATCH_NORM = 2;

    /**
     * Elements, for one image, kept between the convolutions and their ReLUs for the backward pass:
     * {@link #KEPT_PER_BATCH_NORM} outputs' worth per convolution with batch norm. A convolution
     * with a bias is one fused op whose gradient reads its own output ({@link FusedConvolution}),
     * so it keeps nothing extra.
     */
    public long keptIntermediateElements() {
        return KEPT_PER_BATCH_NORM * plan.layers().stream().filter(l -> l instanceof PlannedLayer.Conv c && c.batchNorm())
                .mapToLong(l -> l.output().elements()).sum();
    }

    /** Elements of the widest layer's input and output together, for one image. */
    public long widestLayerElements() {
        long widest = 0;
        for (PlannedLayer layer : plan.layers()) {
            widest = Math.max(widest, layer.input().elements() + layer.output().elements());
        }
        return widest;
    }

    /**
     * Estimated memory of one training step: what TensorFlow's gradient graph keeps alive at its peak.
     *
     * <p>The forward pass keeps the resized input and every layer's output for the backward pass,
     * and the intermediates of {@link #keptIntermediateElements()}. The backward pass adds, at
     * its widest layer, the gradients of that layer's input and output.
     *
     * @param batch images per step
     * @param optimizerSlots values of optimizer state per parameter (0 for plain SGD, 1 with momentum)
     */
    public MemoryEstimate training(int batch, int optimizerSlots) {
        return training(batch, optimizerSlots, ComputePrecision.FP32);
    }

    /**
     * As above, computing in {@code precision}. Mixed precision: the float32 weights, gradients and
     * optimizer state stay, plus a working copy of the weights in the compute type; activations and
     * the backward workspace shrink to its size. Batch norm's kept tensors are float32 (it computes
     * in float32). Where the fused op does not take the type (bf16), each convolution with a bias
     * keeps its pre-activation too, for TensorFlow's ReLU gradient.
     */
    public MemoryEstimate training(int batch, int optimizerSlots, ComputePrecision precision) {
        long weights = weightBytes() + workingCopyBytes(precision);
        long gradients = weightBytes();
        long optimizer = (long) optimizerSlots * weightBytes();
        int bytes = precision.bytesPerValue();
        long kept = (inputElements() + activationElements() + unfusedPreActivationElements(precision)) * bytes
                + keptIntermediateElements() * BYTES_PER_VALUE;
        return new MemoryEstimate(weights, gradients, optimizer, kept * batch, widestLayerElements() * batch * bytes);
    }

    /** Weights cast to the compute type for the passes: none in fp32. */
    private long workingCopyBytes(ComputePrecision precision) {
        return precision == ComputePrecision.FP32 ? 0 : params() * precision.bytesPerValue();
    }

    /** Output elements, per image, of the bias convolutions that cannot be one fused op in {@code precision}. */
    long unfusedPreActivationElements(ComputePrecision precision) {
        if (FusedConvolution.admits(precision == ComputePrecision.FP32 ? org.tensorflow.types.TFloat32.class : precision.type())) {
            return 0;
        }
        return plan.layers().stream().filter(l -> l instanceof PlannedLayer.Conv c && !c.batchNorm())
                .mapToLong(l -> l.output().elements()).sum();
    }

    /**
     * Estimated memory of prediction: the weights plus, at the widest point, one layer's input and
     * output alive at once.
     */
    public MemoryEstimate prediction(int batch) {
        return prediction(batch, ComputePrecision.FP32);
    }

    /** As above, computing in {@code precision} (with the weights' working copy). */
    public MemoryEstimate prediction(int batch, ComputePrecision precision) {
        return new MemoryEstimate(weightBytes() + workingCopyBytes(precision), 0, 0,
                widestLayerElements() * batch * precision.bytesPerValue(), 0);
    }

    public List<PlannedLayer> layers() {
        return plan.layers();
    }

    /**
     * Bytes, split by what they hold.
     *
     * @param activations layer outputs alive at the peak (forward pass)
     * @param backwardWorkspace gradients with respect to activations in flight (training only)
     */
    public record MemoryEstimate(long weights, long gradients, long optimizerState, long activations, long backwardWorkspace) {
        public long total() {
            return weights + gradients + optimizerState + activations + backwardWorkspace;
        }
    }
}
