package dev.nin.model;

import java.util.List;

import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;
import org.tensorflow.types.family.TNumber;

/**
 * A convolution, its bias and its ReLU as one TensorFlow op, {@code _FusedConv2D}, with a gradient
 * of our own. Three costs of the plain ops go away (measured at 224 px, batch 128, docs/performance.md
 * "Performance"):
 * <ul>
 * <li>TensorFlow's C++ gradient of ReLU reads the ReLU's input, so a graph of plain ops keeps every
 * pre-activation alive until the backward pass. This gradient reads the fused op's output.
 * <li>oneDNN's kernel for the weight and bias gradients together
 * ({@code _MklNativeConv2DBackpropFilterWithBias}) is up to twice as slow as its weight gradient
 * alone plus a separate bias reduction, so the two are kept apart.
 * <li>The weight gradient of a 1x1 convolution is the matrix product xᵀ · dz, which oneDNN's GEMM
 * computes faster than its convolution kernel.
 * </ul>
 * TensorFlow registers no gradient for {@code _FusedConv2D} (its optimizer creates the op only
 * where nothing differentiates it), so registering one is allowed; the gradient of a built-in op
 * such as {@code Conv2D} cannot be replaced.
 */
final class FusedConvolution {

    static final String OP_TYPE = "_FusedConv2D";

    private FusedConvolution() {}

    /**
     * Whether nin builds {@code _FusedConv2D} for values of {@code type}: float32 and float64. Its op
     * definition in TensorFlow 2.16 does not admit bfloat16, and its CPU kernel refuses half ("Op does
     * not support Eigen::half inputs"), so mixed-precision networks use Conv2D, BiasAdd and Relu with
     * TensorFlow's own gradients (its graph optimizer fuses what its kernels can).
     */
    static boolean admits(Class<? extends TType> type) {
        return type == TFloat32.class || type == TFloat64.class;
    }

    /**
     * relu(conv(x, weights) + bias).
     *
     * @param x [N, H, W, Cin]
     * @param weights [k, k, Cin, Cout]
     * @param bias [Cout]
     * @param padding TensorFlow's {@code "SAME"} or {@code "VALID"}
     * @return [N, H', W', Cout]
     */
    static <T extends TNumber> Operand<T> convBiasRelu(Ops scope, Operand<T> x, Operand<T> weights, Operand<T> bias,
            int stride, String padding) {
        GradientRegistration.ensure();
        GraphOperation op = (GraphOperation) scope.scope().opBuilder(OP_TYPE, "FusedConv2D")
                .addInput(x.asOutput())
                .addInput(weights.asOutput())
                .addInputList(new Output<?>[] {bias.asOutput()})
                .addInputList(new Output<?>[0]) // host_args: none
                .setAttr("num_args", 1L)
                .setAttr("strides", new long[] {1, stride, stride, 1})
                .setAttr("padding", padding)
                .setAttr("fused_ops", new String[] {"BiasAdd", "Relu"})
                .build();
        return cast(op.output(0));
    }

    /**
     * Registers the gradient once per process, on first use: TensorFlow keeps gradient functions in
     * one process-wide registry. A {@code false} from TensorFlow means one is registered already,
     * which can only be this one, loaded by another class loader of the same process (Quarkus tests).
     */
    private static final class GradientRegistration {
        static {
            TensorFlow.registerCustomGradient(OP_TYPE, (tf, op, upstream) -> gradient(tf, op, cast(upstream.get(0))));
        }

        /** Does nothing itself: the first call initialises this class, which registers the gradient. */
        static void ensure() {}
    }

    /**
     * Gradients of {@code op} = relu(conv(x, w) + b) for its inputs x, w and b, from the gradient of
     * its output. Runs while TensorFlow holds the graph's lock, so it must not ask the graph for
     * shapes (that deadlocks); it reads op attributes only.
     */
    private static <T extends TNumber> List<Operand<?>> gradient(Ops tf, GraphOperation op, Output<T> upstream) {
        Output<T> x = cast(op.input(0));
        Output<T> weights = cast(op.input(1));
        Output<T> bias = cast(op.input(2));
        Output<T> y = cast(op.output(0));
        long[] strides = op.attributes().getAttrIntList("strides");
        String padding = op.attributes().getAttrString("padding");
        List<Long> strideList = List.of(strides[0], strides[1], strides[2], strides[3]);

        // relu'(z) > 0 exactly where relu(z) > 0, so the output serves as well as the pre-activation.
        Operand<T> dz = tf.nn.reluGrad(upstream, y);
        Operand<TInt32> minusOne = tf.constant(new int[] {-1});
        Operand<T> dzRows = tf.reshape(dz, tf.concat(List.of(minusOne, tf.shape(bias)), tf.constant(0)));
        // BiasAddGrad of a reshaped dz, so that oneDNN does not merge it into its slower
        // weight-and-bias kernel.
        Operand<T> db = tf.nn.biasAddGrad(dzRows);
        Operand<T> dx = tf.nn.conv2dBackpropInput(tf.shape(x), weights, dz, strideList, padding);
        Shape pointwise = pointwiseWeightShape(weights, strides);
        Operand<T> dw;
        if (pointwise != null) {
            long cin = pointwise.get(2);
            Operand<T> xRows = tf.reshape(x, tf.constant(new long[] {-1, cin}));
            dw = tf.reshape(tf.linalg.matMul(xRows, dzRows, MatMul.transposeA(true)), tf.constant(pointwise.asArray()));
        } else {
            dw = tf.nn.conv2dBackpropFilter(x, tf.shape(weights), dz, strideList, padding);
        }
        return List.of(dx, dw, db);
    }

    /**
     * The weights' shape when they are a 1x1 kernel applied with stride 1 and come straight from a
     * variable (whose {@code shape} attribute can be read without the graph's lock); else null.
     */
    private static Shape pointwiseWeightShape(Output<?> weights, long[] strides) {
        GraphOperation source = (GraphOperation) weights.op();
        if (!source.type().equals("VariableV2") || strides[1] != 1 || strides[2] != 1) {
            return null;
        }
        Shape shape = source.attributes().getAttrShape("shape");
        return shape.numDimensions() == 4 && shape.get(0) == 1 && shape.get(1) == 1 ? shape : null;
    }

    @SuppressWarnings("unchecked")
    private static <T extends TNumber> Output<T> cast(Output<?> output) {
        return (Output<T>) output;
    }
}
