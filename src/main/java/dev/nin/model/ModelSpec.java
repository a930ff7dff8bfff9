package dev.nin.model;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.List;

/**
 * A NiN architecture as data: an ordered list of stages ending in global average pooling. The
 * book's network is {@link Variants#standard()}; ablations are other lists.
 *
 * @param variant the name this spec is known by (e.g. {@code standard}); recorded with every run
 * @param inputChannels channels of the input image (1 for Fashion-MNIST)
 * @param classes number of output classes; the last block must produce this many channels
 * @param layers the stages, in order; the last one is {@link GlobalAvgPool}
 * @param batchNorm every convolution is followed by batch normalisation (before its ReLU)
 */
public record ModelSpec(String variant, int inputChannels, int classes, List<LayerSpec> layers, boolean batchNorm) {

    /** Without batch normalisation, as the book's network. */
    public ModelSpec(String variant, int inputChannels, int classes, List<LayerSpec> layers) {
        this(variant, inputChannels, classes, layers, false);
    }

    public ModelSpec {
        if (variant == null || variant.isBlank()) {
            throw new UsageException("variant: expected a name, found nothing");
        }
        Checks.atLeast("input_channels", inputChannels, 1);
        Checks.atLeast("classes", classes, 2);
        layers = List.copyOf(layers);
        if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof GlobalAvgPool)) {
            throw new UsageException(
                    "layers of " + variant + ": expected the last stage to be global_avg_pool");
        }
        if (layers.stream().filter(GlobalAvgPool.class::isInstance).count() != 1) {
            throw new UsageException(
                    "layers of " + variant + ": expected exactly one global_avg_pool");
        }
        NinBlock last = null;
        for (LayerSpec layer : layers) {
            if (layer instanceof NinBlock block) {
                last = block;
            }
        }
        if (last == null) {
            throw new UsageException("layers of " + variant + ": expected at least one nin_block");
        }
        if (last.outChannels() != classes) {
            throw new UsageException("layers of " + variant
                    + ": expected the last nin_block to output " + classes + " channels (one per class), found "
                    + last.outChannels());
        }
    }

    /** The same architecture with every dropout stage at {@code rate}. */
    public ModelSpec withDropout(double rate) {
        List<LayerSpec> changed = new ArrayList<>();
        for (LayerSpec layer : layers) {
            changed.add(layer instanceof Dropout ? new Dropout(rate) : layer);
        }
        return new ModelSpec(variant, inputChannels, classes, changed, batchNorm);
    }

    /** The same architecture under another name, with batch normalisation after every convolution. */
    public ModelSpec withBatchNorm(String name) {
        return new ModelSpec(name, inputChannels, classes, layers, true);
    }

    /** Number of NiN blocks. */
    public int blockCount() {
        return (int) layers.stream().filter(NinBlock.class::isInstance).count();
    }
}
