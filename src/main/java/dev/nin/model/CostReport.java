package dev.nin.model;

import java.util.List;

/**
 * Parameters, FLOPs and memory of a {@link NetworkPlan}, counted analytically from the spec.
 *
 * <p>Conventions: one multiply-add is two FLOPs; only convolutions are counted (bias, ReLU and
 * pooling add under 1%); a training step costs three forward passes per image (forward, gradient
 * with respect to inputs, gradient with respect to weights). Memory is float32, 4 bytes a value.
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
     * Estimated memory of one training step.
     *
     * @param batch images per step
     * @param optimizerSlots values of optimizer state per parameter (0 for plain SGD, 1 with momentum)
     */
    public MemoryEstimate training(int batch, int optimizerSlots) {
        long weights = weightBytes();
        long gradients = weightBytes();
        long optimizer = (long) optimizerSlots * weightBytes();
        // The backward pass needs every layer's output (ReLU and pooling gradients read them) and the resized input.
        long activations = (activationElements() + inputElements()) * batch * BYTES_PER_VALUE;
        return new MemoryEstimate(weights, gradients, optimizer, activations);
    }

    /**
     * Estimated memory of prediction: the weights plus, at the widest point, one layer's input and
     * output alive at once.
     */
    public MemoryEstimate prediction(int batch) {
        long widest = 0;
        for (PlannedLayer layer : plan.layers()) {
            widest = Math.max(widest, layer.input().elements() + layer.output().elements());
        }
        return new MemoryEstimate(weightBytes(), 0, 0, widest * batch * BYTES_PER_VALUE);
    }

    public List<PlannedLayer> layers() {
        return plan.layers();
    }

    /** Bytes, split by what they hold. */
    public record MemoryEstimate(long weights, long gradients, long optimizerState, long activations) {
        public long total() {
            return weights + gradients + optimizerState + activations;
        }
    }
}
