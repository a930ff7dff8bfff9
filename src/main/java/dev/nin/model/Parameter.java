package dev.nin.model;

/**
 * One trainable tensor of a {@link NetworkPlan}.
 *
 * @param name e.g. {@code block1.conv0/weights} or {@code block1.conv0/bias}
 * @param dims shape; weights are [kernel, kernel, in channels, out channels] (TensorFlow's HWIO), biases [out]
 * @param fanIn inputs feeding one output value (kernel² × in channels)
 * @param fanOut outputs one input value feeds (kernel² × out channels)
 * @param kind what the tensor is, which decides how it starts
 */
public record Parameter(String name, long[] dims, long fanIn, long fanOut, Kind kind) {

    /** Weights are drawn at random; biases and BN shifts start at 0, BN scales at 1. */
    public enum Kind { WEIGHTS, BIAS, SCALE, SHIFT }

    /** A per-channel vector rather than a weight tensor. */
    public boolean bias() {
        return kind != Kind.WEIGHTS;
    }

    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The parameters of every convolution in {@code plan}, weights then bias (or BN scale and shift), in layer order. */
    public static java.util.List<Parameter> of(NetworkPlan plan) {
        java.util.List<Parameter> out = new java.util.ArrayList<>();
        for (PlannedLayer.Conv conv : plan.convolutions()) {
            long k2 = (long) conv.kernel() * conv.kernel();
            long in = conv.input().channels();
            long outC = conv.output().channels();
            out.add(new Parameter(conv.name() + "/weights", new long[] {conv.kernel(), conv.kernel(), in, outC},
                    k2 * in, k2 * outC, Kind.WEIGHTS));
            if (conv.batchNorm()) {
                out.add(new Parameter(conv.name() + "/bn_scale", new long[] {outC}, k2 * in, k2 * outC, Kind.SCALE));
                out.add(new Parameter(conv.name() + "/bn_shift", new long[] {outC}, k2 * in, k2 * outC, Kind.SHIFT));
            } else {
                out.add(new Parameter(conv.name() + "/bias", new long[] {outC}, k2 * in, k2 * outC, Kind.BIAS));
            }
        }
        return out;
    }
}
