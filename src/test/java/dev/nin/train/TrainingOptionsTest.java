package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.ImageSet;
import dev.nin.engine.TestRuntime;
import dev.nin.model.GlobalAvgPool;
import dev.nin.model.Initializer;
import dev.nin.model.MaxPool;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.NinBlock;
import dev.nin.model.NinGraph;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Parameter;
import dev.nin.model.Precision;
import dev.nin.model.TrainingTransforms;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Each training option changes what it should, read back from the graph. */
class TrainingOptionsTest {

    /** Small enough for 28 px, so inputs can be compared pixel by pixel. */
    private static final ModelSpec TINY = new ModelSpec("tiny", 1, 10, List.of(
            new NinBlock(8, 5, 2, 1, 1), new MaxPool(3, 2), new NinBlock(10, 3, 1, 1, 1), new GlobalAvgPool()));

    @BeforeAll
    static void loadTensorFlow() {
        TestRuntime.cpu();
    }

    /**
     * SGD moves a weight by exactly lr × gradient, so the rate the graph applied is (w − w') / g.
     * At three points of a step schedule with warm-up, it is the schedule's.
     */
    @Test
    void theLearningRateTheGraphAppliesFollowsTheSchedule() {
        TrainConfig config = new TrainConfig(0.2, 4, 8, 28, 1, OptimizerSpec.BOOK_SGD, java.util.OptionalDouble.empty(), 1,
                TrainingOptions.BOOK.withSchedule(new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0.5, 2, 0.1)));
        int stepsPerEpoch = 10;
        ImageSet batch = dev.nin.model.GradientCheckTestImages.random(8, 4);
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, NetworkPlan.of(TINY, 28), Precision.FLOAT32, OptimizerSpec.BOOK_SGD, false);
            try (Session session = new Session(graph, Trainer.sessionConfig(1))) {
                Trainer.initialize(session, net, 3);
                for (long step : new long[] {2, 12, 25}) {
                    double expected = config.learningRateAt(step, stepsPerEpoch);
                    double[] before = read(session, net.parameters.get(0).variable());
                    double[] gradient;
                    try (var images = Trainer.images(batch); var labels = Trainer.labels(batch);
                            Result r = session.runner().feed(net.images, images).feed(net.labels, labels).fetch(net.gradients.get(0)).run()) {
                        gradient = Precision.read(r.get(0));
                    }
                    Trainer.trainStep(session, net, batch, expected, new long[] {1, step});
                    double[] after = read(session, net.parameters.get(0).variable());
                    int i = largest(gradient);
                    double applied = (before[i] - after[i]) / gradient[i];
                    assertEquals(expected, applied, expected * 1e-3, "step " + step);
                }
                // Warm-up (half an epoch) then steps of 0.1 every two epochs.
                assertEquals(0.2 * 3 / 5, config.learningRateAt(2, stepsPerEpoch), 1e-12);
                assertEquals(0.2, config.learningRateAt(12, stepsPerEpoch), 1e-12);
                assertEquals(0.02, config.learningRateAt(25, stepsPerEpoch), 1e-12);
            }
        }
    }

    @Test
    void heInitialisationHasTwiceTheVarianceOverFanIn() {
        Parameter p = new Parameter("w", new long[] {3, 3, 64, 64}, 9 * 64, 9 * 64, Parameter.Kind.WEIGHTS);
        double[] he = Initializer.HE.seeded(1).values(p);
        double[] xavier = Initializer.XAVIER.seeded(1).values(p);
        assertEquals(2.0 / 576, variance(he), 0.05 * 2.0 / 576);
        assertEquals(2.0 / (576 + 576), variance(xavier), 0.05 * 1.0 / 576);
        Parameter scale = new Parameter("s", new long[] {4}, 1, 1, Parameter.Kind.SCALE);
        assertEquals(List.of(1.0, 1.0, 1.0, 1.0), java.util.Arrays.stream(Initializer.HE.seeded(1).values(scale)).boxed().toList());
    }

    /** With ε, the training loss is the cross-entropy against (1-ε)·one-hot + ε/10, computed here from the logits. */
    @Test
    void labelSmoothingChangesTheTargetAsStated() {
        double epsilon = 0.1;
        ImageSet batch = dev.nin.model.GradientCheckTestImages.random(6, 8);
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, NetworkPlan.of(TINY, 28), Precision.FLOAT32, OptimizerSpec.BOOK_SGD,
                    false, new TrainingTransforms(0, false, epsilon));
            try (Session session = new Session(graph, Trainer.sessionConfig(1))) {
                Trainer.initialize(session, net, 2);
                try (var images = Trainer.images(batch); var labels = Trainer.labels(batch); TInt64 seed = TInt64.vectorOf(1, 1);
                        Result r = session.runner().feed(net.images, images).feed(net.labels, labels).feed(net.dropoutSeed, seed)
                                .fetch(net.logits).fetch(net.trainLoss).fetch(net.evalLoss).run()) {
                    double[] logits = Precision.read(r.get(0));
                    double smoothed = 0;
                    double plain = 0;
                    for (int n = 0; n < batch.size(); n++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int k = 0; k < 10; k++) {
                            max = Math.max(max, logits[n * 10 + k]);
                        }
                        double sum = 0;
                        for (int k = 0; k < 10; k++) {
                            sum += Math.exp(logits[n * 10 + k] - max);
                        }
                        for (int k = 0; k < 10; k++) {
                            double logP = logits[n * 10 + k] - max - Math.log(sum);
                            double target = (k == batch.label(n) ? 1 - epsilon : 0) + epsilon / 10;
                            smoothed -= target * logP;
                            if (k == batch.label(n)) {
                                plain -= logP;
                            }
                        }
                    }
                    assertEquals(smoothed / batch.size(), Precision.readScalar(r.get(1)), 1e-5);
                    assertEquals(plain / batch.size(), Precision.readScalar(r.get(2)), 1e-5, "evaluation is never smoothed");
                }
            }
        }
    }

    /**
     * Each augmented image is its original, maybe mirrored, shifted by at most the padding with
     * zeros coming in; the evaluation path's input is the original.
     */
    @Test
    void augmentationCropsAndFlipsTheTrainingImagesOnly() {
        int pad = 3;
        ImageSet batch = dev.nin.model.GradientCheckTestImages.random(32, 5);
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, NetworkPlan.of(TINY, 28), Precision.FLOAT32, OptimizerSpec.BOOK_SGD,
                    false, new TrainingTransforms(pad, true, 0));
            try (Session session = new Session(graph, Trainer.sessionConfig(1))) {
                try (var images = Trainer.images(batch); TInt64 seed = TInt64.vectorOf(7, 7);
                        Result r = session.runner().feed(net.images, images).feed(net.dropoutSeed, seed)
                                .fetch(net.trainInput).fetch(net.evalInput).run()) {
                    double[] train = Precision.read(r.get(0));
                    double[] eval = Precision.read(r.get(1));
                    int flipped = 0;
                    int shifted = 0;
                    for (int n = 0; n < batch.size(); n++) {
                        for (int p = 0; p < 784; p++) {
                            assertEquals((batch.pixels()[n * 784 + p] & 0xff) / 255.0, eval[n * 784 + p], 1e-6);
                        }
                        int[] found = match(train, eval, n, pad);
                        assertTrue(found != null, "image " + n + " is a shifted, maybe mirrored, copy of its original");
                        flipped += found[0];
                        shifted += found[1] != 0 || found[2] != 0 ? 1 : 0;
                    }
                    assertTrue(flipped > 4 && flipped < 28, "about half mirrored: " + flipped);
                    assertTrue(shifted > 16, "most shifted: " + shifted);
                }
            }
        }
    }

    /** (mirrored 0/1, dy, dx) such that train image n = shift(mirror(eval image n)), or null. */
    private static int[] match(double[] train, double[] eval, int n, int pad) {
        for (int mirror = 0; mirror <= 1; mirror++) {
            for (int dy = -pad; dy <= pad; dy++) {
                for (int dx = -pad; dx <= pad; dx++) {
                    boolean same = true;
                    for (int y = 0; y < 28 && same; y++) {
                        for (int x = 0; x < 28 && same; x++) {
                            int sy = y + dy;
                            int sx = x + dx;
                            double source = sy < 0 || sy >= 28 || sx < 0 || sx >= 28 ? 0
                                    : eval[n * 784 + sy * 28 + (mirror == 1 ? 27 - sx : sx)];
                            same = Math.abs(train[n * 784 + y * 28 + x] - source) < 1e-5;
                        }
                    }
                    if (same) {
                        return new int[] {mirror, dy, dx};
                    }
                }
            }
        }
        return null;
    }

    private static double[] read(Session session, org.tensorflow.Operand<TFloat32> variable) {
        try (Result r = session.runner().fetch(variable).run()) {
            return Precision.read(r.get(0));
        }
    }

    private static int largest(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (Math.abs(values[i]) > Math.abs(values[best])) {
                best = i;
            }
        }
        return best;
    }

    private static double variance(double[] values) {
        double mean = java.util.Arrays.stream(values).average().orElseThrow();
        return java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length;
    }
}
