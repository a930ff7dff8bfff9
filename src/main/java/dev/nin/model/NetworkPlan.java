package dev.nin.model;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ModelSpec} unrolled for one input size: every layer with its input and output shape.
 * The TensorFlow graph builder and the cost counter both read this plan, so they cannot disagree.
 *
 * @param spec the architecture
 * @param resize input side in pixels (Fashion-MNIST's 28x28 images are resized to resize×resize)
 * @param layers concrete layers in order
 */
public record NetworkPlan(ModelSpec spec, int resize, List<PlannedLayer> layers) {

    /** Larger inputs than this are refused: a typo, not an experiment. */
    public static final int MAX_RESIZE = (int) dev.nin.config.Knob.RESIZE.max();

    public NetworkPlan {
        layers = List.copyOf(layers);
    }

    /**
     * Unrolls {@code spec} for square inputs of side {@code resize}.
     *
     * @throws IllegalArgumentException when a layer's output would be empty, naming the smallest size that fits
     */
    public static NetworkPlan of(ModelSpec spec, int resize) {
        return tryPlan(spec, resize).orElseThrow(() -> {
            int smallest = smallestResize(spec);
            return new UsageException("resize: expected at least " + smallest + " for variant "
                    + spec.variant() + " (smaller inputs shrink to nothing before the last layer), found " + resize);
        });
    }

    /** The smallest input side for which every layer of {@code spec} has a non-empty output. */
    public static int smallestResize(ModelSpec spec) {
        for (int size = 1; size <= MAX_RESIZE; size++) {
            if (tryPlan(spec, size).isPresent()) {
                return size;
            }
        }
        throw new UsageException("variant " + spec.variant() + " fits no input up to " + MAX_RESIZE);
    }

    private static Optional<NetworkPlan> tryPlan(ModelSpec spec, int resize) {
        if (resize < 1 || resize > MAX_RESIZE) {
            return Optional.empty();
        }
        List<PlannedLayer> out = new ArrayList<>();
        Shape3 shape = new Shape3(spec.inputChannels(), resize, resize);
        int block = 0;
        int pool = 0;
        int dropout = 0;
        for (LayerSpec layer : spec.layers()) {
            if (layer instanceof NinBlock b) {
                block++;
                for (int i = 0; i <= b.oneByOneConvs(); i++) {
                    int k = i == 0 ? b.kernel() : 1;
                    int s = i == 0 ? b.stride() : 1;
                    int p = i == 0 ? b.padding() : 0;
                    int h = (shape.height() + 2 * p - k) / s + 1;
                    int w = (shape.width() + 2 * p - k) / s + 1;
                    if (shape.height() + 2 * p < k || shape.width() + 2 * p < k) {
                        return Optional.empty();
                    }
                    Shape3 next = new Shape3(b.outChannels(), h, w);
                    out.add(new PlannedLayer.Conv("block" + block + ".conv" + i, shape, next, k, s, p, spec.batchNorm()));
                    shape = next;
                }
            } else if (layer instanceof MaxPool m) {
                pool++;
                if (shape.height() < m.window() || shape.width() < m.window()) {
                    return Optional.empty();
                }
                Shape3 next = new Shape3(shape.channels(), (shape.height() - m.window()) / m.stride() + 1,
                        (shape.width() - m.window()) / m.stride() + 1);
                out.add(new PlannedLayer.Pool("pool" + pool, shape, next, m.window(), m.stride()));
                shape = next;
            } else if (layer instanceof Dropout d) {
                dropout++;
                out.add(new PlannedLayer.Drop(dropout == 1 ? "dropout" : "dropout" + dropout, shape, shape,
                        d.rate()));
            } else {
                Shape3 next = new Shape3(shape.channels(), 1, 1);
                out.add(new PlannedLayer.GlobalPool("gap", shape, next));
                shape = next;
            }
        }
        return Optional.of(new NetworkPlan(spec, resize, out));
    }

    /** The layer called {@code name}. */
    public PlannedLayer layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer named " + name));
    }

    public List<PlannedLayer.Conv> convolutions() {
        return layers.stream().filter(PlannedLayer.Conv.class::isInstance).map(PlannedLayer.Conv.class::cast)
                .toList();
    }

    public long params() {
        return layers.stream().mapToLong(PlannedLayer::params).sum();
    }

    public long multiplyAdds() {
        return layers.stream().mapToLong(PlannedLayer::multiplyAdds).sum();
    }
}
