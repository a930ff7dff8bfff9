package dev.nin.model;

/**
 * One concrete layer of a {@link NetworkPlan}: what the graph builder creates and the cost counter
 * counts. Every convolution is followed by a ReLU, as in every NiN block.
 */
public sealed interface PlannedLayer {

    /** Stable name, e.g. {@code block1.conv0}, {@code pool2}, {@code gap}; tests look layers up by it. */
    String name();

    Shape3 input();

    Shape3 output();

    /** Trainable parameters (weights and biases). */
    default long params() {
        return 0;
    }

    /** Multiply-accumulate operations for one image in the forward pass. */
    default long multiplyAdds() {
        return 0;
    }

    /** Short description for layer tables, e.g. {@code conv 11x11/4 p0 + relu}. */
    String description();

    /**
     * A convolution with bias and ReLU, or with batch normalisation (no bias: BN's shift replaces it) and ReLU.
     *
     * @param kernel window side; weights have shape [kernel, kernel, in channels, out channels]
     * @param batchNorm normalise the convolution's output over the batch, with a learnt scale and shift per channel
     */
    record Conv(String name, Shape3 input, Shape3 output, int kernel, int stride, int padding, boolean batchNorm)
            implements PlannedLayer {

        public long weightCount() {
            return (long) kernel * kernel * input.channels() * output.channels();
        }

        @Override
        public long params() {
            return weightCount() + (batchNorm ? 2L : 1L) * output.channels();
        }

        @Override
        public long multiplyAdds() {
            return (long) output.height() * output.width() * weightCount();
        }

        @Override
        public String description() {
            return "conv " + kernel + "x" + kernel + "/" + stride + " p" + padding + (batchNorm ? " + bn" : "") + " + relu";
        }
    }

    record Pool(String name, Shape3 input, Shape3 output, int window, int stride) implements PlannedLayer {
        @Override
        public String description() {
            return "max pool " + window + "x" + window + "/" + stride;
        }
    }

    record Drop(String name, Shape3 input, Shape3 output, double rate) implements PlannedLayer {
        @Override
        public String description() {
            return "dropout " + rate;
        }
    }

    /** Global average pooling and flatten: C×H×W → C. */
    record GlobalPool(String name, Shape3 input, Shape3 output) implements PlannedLayer {
        @Override
        public String description() {
            return "global avg pool + flatten";
        }
    }
}
