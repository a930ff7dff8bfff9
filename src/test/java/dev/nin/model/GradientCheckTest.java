package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.ImageSet;
import dev.nin.engine.TestRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeAll;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TUint8;

/**
 * TensorFlow's gradients of the built graph agree with central finite differences of its loss, in
 * float64, on a tiny NiN that still has every kind of layer (strided and padded convs, 1x1 convs,
 * max pooling, global average pooling). A mis-wired layer or a loss on the wrong tensor fails here.
 */
class GradientCheckTest {

    private static final ModelSpec TINY = new ModelSpec("tiny", 1, 10, List.of(
            new NinBlock(4, 5, 2, 1, 1),
            new MaxPool(3, 2),
            new NinBlock(10, 3, 1, 1, 1),
            new GlobalAvgPool()));

    private static final double EPSILON = 1e-6;

    @BeforeAll
    static void loadTensorFlow() {
        TestRuntime.cpu();
    }

    /** Without and with batch normalisation (nin-bn's layers: batch statistics in the training path). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void gradientsMatchFiniteDifferences(boolean batchNorm) {
        NetworkPlan plan = NetworkPlan.of(batchNorm ? TINY.withBatchNorm("tiny-bn") : TINY, 28);
        ImageSet batch = randomImages(6, 11);
        try (Graph graph = new Graph()) {
            NinGraph<TFloat64> net = NinGraph.build(graph, plan, Precision.FLOAT64, OptimizerSpec.BOOK_SGD, false);
            try (Session session = new Session(graph);
                    TUint8 images = TUint8.tensorOf(Shape.of(batch.size(), 28, 28), DataBuffers.of(batch.pixels(), true, false));
                    TInt32 labels = labels(batch)) {
                Initializer.Draw init = Initializer.XAVIER.seeded(5);
                List<double[]> values = new ArrayList<>();
                for (NinGraph.Slot<TFloat64> slot : net.parameters) {
                    double[] v = init.values(slot.parameter());
                    if (slot.parameter().bias()) {
                        // Non-zero biases, so their gradients are exercised away from ReLU's kink at 0.
                        SplittableRandom r = new SplittableRandom(slot.parameter().name().hashCode());
                        for (int i = 0; i < v.length; i++) {
                            v[i] = r.nextDouble(0.05, 0.2);
                        }
                    }
                    values.add(v);
                    assign(session, slot, v);
                }
                List<double[]> gradients = new ArrayList<>();
                Session.Runner runner = session.runner().feed(net.images, images).feed(net.labels, labels);
                net.gradients.forEach(runner::fetch);
                try (Result result = runner.run()) {
                    for (int i = 0; i < net.gradients.size(); i++) {
                        gradients.add(Precision.read(result.get(i)));
                    }
                }

                SplittableRandom pick = new SplittableRandom(99);
                int checked = 0;
                double worst = 0;
                for (int p = 0; p < net.parameters.size(); p++) {
                    NinGraph.Slot<TFloat64> slot = net.parameters.get(p);
                    double[] v = values.get(p);
                    for (int n = 0; n < 4; n++) {
                        int i = pick.nextInt(v.length);
                        double original = v[i];
                        v[i] = original + EPSILON;
                        assign(session, slot, v);
                        double plus = loss(session, net, images, labels);
                        v[i] = original - EPSILON;
                        assign(session, slot, v);
                        double minus = loss(session, net, images, labels);
                        v[i] = original;
                        assign(session, slot, v);
                        double numeric = (plus - minus) / (2 * EPSILON);
                        double analytic = gradients.get(p)[i];
                        double error = Math.abs(numeric - analytic) / Math.max(1e-4, Math.abs(numeric) + Math.abs(analytic));
                        worst = Math.max(worst, error);
                        assertTrue(error < 1e-4, slot.parameter().name() + "[" + i + "]: TensorFlow says " + analytic
                                + ", finite differences say " + numeric);
                        checked++;
                    }
                }
                assertEquals(net.parameters.size() * 4, checked);
                assertTrue(worst < 1e-4);
            }
        }
    }

    private static double loss(Session session, NinGraph<TFloat64> net, Tensor images, Tensor labels) {
        try (Result result = session.runner().feed(net.images, images).feed(net.labels, labels).fetch(net.trainLoss).run()) {
            return Precision.readScalar(result.get(0));
        }
    }

    private static void assign(Session session, NinGraph.Slot<TFloat64> slot, double[] values) {
        try (Tensor t = Precision.FLOAT64.tensor(slot.parameter().dims(), values)) {
            session.runner().feed(slot.value(), t).addTarget(slot.assign()).run().close();
        }
    }

    static ImageSet randomImages(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] pixels = new byte[count * ImageSet.PIXELS];
        byte[] labels = new byte[count];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        return new ImageSet(pixels, labels);
    }

    private static TInt32 labels(ImageSet batch) {
        int[] values = new int[batch.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = batch.label(i);
        }
        return TInt32.tensorOf(Shape.of(values.length), DataBuffers.of(values, true, false));
    }
}
