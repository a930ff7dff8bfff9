package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import dev.nin.engine.TestRuntime;

/**
 * The fused convolution+bias+ReLU op and its hand-written gradient against TensorFlow's plain ops
 * and their own gradients, in float32 (the kernels training runs; the float64 check in
 * {@link GradientCheckTest} cannot reach oneDNN's), and the network graph using the fast ops.
 */
class FusedConvolutionTest {

    @BeforeAll
    static void loadTensorFlow() {
        TestRuntime.cpu();
    }

    /** Each row: kernel, stride, padding mode, input side, input channels, output channels. */
    @ParameterizedTest(name = "{0}x{0}/{1} {2}")
    @CsvSource({
        "1, 1, VALID, 9, 16, 24",   // 1x1: weight gradient as a matrix product
        "3, 1, SAME, 9, 16, 24",
        "5, 2, VALID, 13, 3, 8",
        "11, 4, VALID, 31, 1, 8",
    })
    void matchesPlainOpsAndTheirGradients(int kernel, int stride, String padding, int side, int cin, int cout) {
        SplittableRandom random = new SplittableRandom(kernel * 31L + stride);
        float[] x = gaussian(random, 2 * side * side * cin, 1);
        float[] w = gaussian(random, kernel * kernel * cin * cout, 1.0 / Math.sqrt(kernel * kernel * cin));
        float[] b = gaussian(random, cout, 0.1);
        Shape xShape = Shape.of(2, side, side, cin);
        Shape wShape = Shape.of(kernel, kernel, cin, cout);
        List<double[]> fused = run(xShape, x, wShape, w, b, true, stride, padding);
        List<double[]> plain = run(xShape, x, wShape, w, b, false, stride, padding);
        String[] names = {"output", "d input", "d weights", "d bias"};
        for (int i = 0; i < names.length; i++) {
            double[] expected = plain.get(i);
            double[] actual = fused.get(i);
            assertEquals(expected.length, actual.length, names[i]);
            double scale = 0;
            for (double v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, names[i] + " is all zero: the test would prove nothing");
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], actual[j], 1e-4 * scale, names[i] + "[" + j + "]");
            }
        }
    }

    /**
     * Runs relu(conv(x, w) + b), fused or as plain ops, and the gradients of a fixed weighted sum
     * of its output. Returns output, d x, d w, d b.
     */
    private static List<double[]> run(Shape xShape, float[] x, Shape wShape, float[] w, float[] b, boolean fused, int stride,
            String padding) {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            Variable<TFloat32> input = tf.variable(tf.constant(xShape, DataBuffers.of(x, true, false)));
            Variable<TFloat32> weights = tf.variable(tf.constant(wShape, DataBuffers.of(w, true, false)));
            Variable<TFloat32> bias = tf.variable(tf.constant(Shape.of(b.length), DataBuffers.of(b, true, false)));
            Operand<TFloat32> y = fused
                    ? FusedConvolution.convBiasRelu(tf, input, weights, bias, stride, padding)
                    : tf.nn.relu(tf.nn.biasAdd(tf.nn.conv2d(input, weights, List.of(1L, (long) stride, (long) stride, 1L), padding), bias));
            // A weighted sum, so every output position sends back a different gradient.
            Operand<TFloat32> flat = tf.reshape(y, tf.constant(new int[] {-1}));
            Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(flat, tf.math.sin(tf.math.mul(
                    tf.dtypes.cast(tf.range(tf.constant(0), tf.size(y), tf.constant(1)), TFloat32.class), tf.constant(0.37f)))),
                    tf.constant(0));
            List<Output<?>> gradients = tf.gradients(loss, List.of(input, weights, bias)).dy();
            try (Session session = new Session(graph)) {
                session.initialize();
                Session.Runner runner = session.runner().fetch(flat);
                gradients.forEach(g -> runner.fetch(g));
                List<double[]> out = new ArrayList<>();
                try (Result result = runner.run()) {
                    for (int i = 0; i < 4; i++) {
                        out.add(Precision.read(result.get(i)));
                    }
                }
                return out;
            }
        }
    }

    /**
     * The book's network at 224 px: every conv is one fused op (no separate ReLU), pooling is the
     * {@code MaxPool} oneDNN takes over, and the weight gradients of the eight 1x1 convs are matrix
     * products while the four spatial convs keep TensorFlow's filter-gradient kernel.
     */
    @Test
    void networkUsesTheFastOps() {
        NetworkPlan plan = NetworkPlan.of(Variants.standard(), 224);
        try (Graph graph = new Graph()) {
            NinGraph.build(graph, plan, Precision.FLOAT32, OptimizerSpec.BOOK_SGD, false);
            Map<String, Integer> forward = new HashMap<>();
            Map<String, Integer> backward = new HashMap<>();
            graph.operations().forEachRemaining(op -> (isGradient(op) ? backward : forward).merge(op.type(), 1, Integer::sum));
            // 12 convs in the training path and 12 in the evaluation path.
            assertEquals(24, forward.getOrDefault(FusedConvolution.OP_TYPE, 0), forward.toString());
            assertEquals(0, forward.getOrDefault("Relu", 0));
            assertEquals(0, forward.getOrDefault("Conv2D", 0));
            assertEquals(0, forward.getOrDefault("MaxPoolV2", 0));
            assertEquals(6, forward.getOrDefault("MaxPool", 0));
            assertEquals(8, backward.getOrDefault("MatMul", 0), backward.toString());
            assertEquals(4, backward.getOrDefault("Conv2DBackpropFilter", 0), backward.toString());
        }
    }

    private static boolean isGradient(GraphOperation op) {
        return op.name().startsWith("Gradients/");
    }

    private static float[] gaussian(SplittableRandom random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
            values[i] = (float) (scale * Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return values;
    }
}
