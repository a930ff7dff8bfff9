package dev.nin.model;

/**
 * One trainable tensor of a {@link NetworkPlan}.
 *
 * @param name e.g. {@code block1.conv0/weights} or {@code block1.conv0/bias}
 * @param dims shape; weights are [kernel, kernel, in channels, out channels] (TensorFlow's HWIO), biases [out]
 * @param fanIn inputs feeding one output value (kernel² × in channels)
 * @param fanOut outputs one input value feeds (kernel² × out channels)
 * @param bias true for a bias vector
 */
public record Parameter(String name, long[] dims, long fanIn, long fanOut, boolean bias) {

    public long size() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The parameters of every convolution in {@code plan}, weights then bias, in layer order. */
    public static java.util.List<Parameter> of(NetworkPlan plan) {
        java.util.List<Parameter> out = new java.util.ArrayList<>();
        for (PlannedLayer.Conv conv : plan.convolutions()) {
            long k2 = (long) conv.kernel() * conv.kernel();
            long in = conv.input().channels();
            long outC = conv.output().channels();
            out.add(new Parameter(conv.name() + "/weights", new long[] {conv.kernel(), conv.kernel(), in, outC},
                    k2 * in, k2 * outC, false));
            out.add(new Parameter(conv.name() + "/bias", new long[] {outC}, k2 * in, k2 * outC, true));
        }
        return out;
    }
}
