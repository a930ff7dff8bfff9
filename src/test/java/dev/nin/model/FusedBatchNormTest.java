package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.ImageSet;
import dev.nin.engine.TestRuntime;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TFloating;

/**
 * float32 batch normalisation runs as TensorFlow's fused op ({@code FusedBatchNormV3} and its
 * gradient); float64 runs as plain ops, whose gradients {@link GradientCheckTest} holds to finite
 * differences. The two are independent implementations of one definition, so with the same weights
 * and images they must agree: loss, every gradient, the running statistics after a step, and the
 * evaluation path's logits that read them.
 */
class FusedBatchNormTest {

    private static final ModelSpec TINY_BN = new ModelSpec("tiny", 1, 10, List.of(
            new NinBlock(4, 5, 2, 1, 1),
            new MaxPool(3, 2),
            new NinBlock(10, 3, 1, 1, 1),
            new GlobalAvgPool()), false).withBatchNorm("tiny-bn");

    @BeforeAll
    static void loadTensorFlow() {
        TestRuntime.cpu();
    }

    /** What one training step (rate 0: weights kept) shows of a graph. */
    private record Step(String ops, double loss, List<double[]> gradients, List<double[]> statistics, double[] logits) {}

    @Test
    void fusedFloat32AgreesWithPlainFloat64() {
        NetworkPlan plan = NetworkPlan.of(TINY_BN, 28);
        ImageSet batch = GradientCheckTest.randomImages(16, 21);
        Step fused = step(plan, Precision.FLOAT32, batch);
        Step plain = step(plan, Precision.FLOAT64, batch);

        assertTrue(fused.ops().contains("FusedBatchNormV3"), "float32 builds the fused op: " + fused.ops());
        assertTrue(!plain.ops().contains("FusedBatchNorm"), "float64 keeps the plain ops: " + plain.ops());
        assertEquals(plain.loss(), fused.loss(), 1e-5 * Math.abs(plain.loss()));
        assertEquals(plain.gradients().size(), fused.gradients().size());
        for (int i = 0; i < plain.gradients().size(); i++) {
            assertClose("gradient " + i, plain.gradients().get(i), fused.gradients().get(i), 1e-4);
        }
        // Running mean and the unbiased running variance, moved once from (0, 1) toward the batch's.
        assertEquals(plain.statistics().size(), fused.statistics().size());
        for (int i = 0; i < plain.statistics().size(); i++) {
            assertClose("running statistic " + i, plain.statistics().get(i), fused.statistics().get(i), 1e-5);
        }
        assertClose("evaluation logits", plain.logits(), fused.logits(), 1e-4);
    }

    /** Norm-wise: |fused − plain| ≤ tolerance · |plain|. */
    private static void assertClose(String what, double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": length");
        double difference = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            difference += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }
        assertTrue(norm > 0, what + ": all zeros, nothing compared");
        assertTrue(Math.sqrt(difference) <= tolerance * Math.sqrt(norm),
                what + ": relative difference " + Math.sqrt(difference / norm) + " over " + tolerance);
    }

    private static <T extends TFloating> Step step(NetworkPlan plan, Precision precision, ImageSet batch) {
        try (Graph graph = new Graph()) {
            NinGraph<T> net = NinGraph.build(graph, plan, precision, OptimizerSpec.BOOK_SGD, false);
            StringBuilder ops = new StringBuilder();
            graph.operations().forEachRemaining(op -> ops.append(op.type()).append(' '));
            try (Session session = new Session(graph);
                    TUint8 images = TUint8.tensorOf(Shape.of(batch.size(), 28, 28), DataBuffers.of(batch.pixels(), true, false));
                    TInt32 labels = labels(batch);
                    Tensor rate = precision.scalar(0.0);
                    TInt64 seed = TInt64.vectorOf(1, 0)) {
                Initializer.Draw init = Initializer.HE.seeded(5);
                for (NinGraph.Slot<T> slot : net.parameters) {
                    try (Tensor value = precision.tensor(slot.parameter().dims(), init.values(slot.parameter()))) {
                        session.runner().feed(slot.value(), value).addTarget(slot.assign()).run().close();
                    }
                }
                session.runner().addTarget(net.initOptimizer).run().close();
                Session.Runner runner = session.runner().feed(net.images, images).feed(net.labels, labels)
                        .feed(net.learningRate, rate).feed(net.dropoutSeed, seed).fetch(net.trainLoss).addTarget(net.trainStep);
                net.gradients.forEach(runner::fetch);
                double loss;
                List<double[]> gradients = new ArrayList<>();
                try (Result result = runner.run()) {
                    loss = Precision.readScalar(result.get(0));
                    for (int i = 0; i < net.gradients.size(); i++) {
                        gradients.add(Precision.read(result.get(i + 1)));
                    }
                }
                Session.Runner after = session.runner().feed(net.images, images).fetch(net.logits);
                net.batchNormStatistics.forEach(after::fetch);
                try (Result result = after.run()) {
                    List<double[]> statistics = new ArrayList<>();
                    for (int i = 0; i < net.batchNormStatistics.size(); i++) {
                        statistics.add(Precision.read(result.get(i + 1)));
                    }
                    return new Step(ops.toString(), loss, gradients, statistics, Precision.read(result.get(0)));
                }
            }
        }
    }

    private static TInt32 labels(ImageSet batch) {
        int[] values = new int[batch.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = batch.label(i);
        }
        return TInt32.tensorOf(Shape.of(values.length), DataBuffers.of(values, true, false));
    }
}
