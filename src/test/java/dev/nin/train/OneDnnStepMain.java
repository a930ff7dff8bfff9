package dev.nin.train;

import dev.nin.engine.DeviceRequest;
import dev.nin.engine.TensorFlowRuntime;
import dev.nin.model.ComputePrecision;
import dev.nin.model.NetworkPlan;
import dev.nin.model.NinGraph;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Precision;
import dev.nin.model.TrainingTransforms;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * Child process of {@link OneDnnPrimitivesTest}: two training steps of a small NiN in the precision
 * named by the first argument, so oneDNN's verbose log (ONEDNN_VERBOSE=1, set by the parent before
 * TensorFlow loads) lists the primitives that ran.
 */
public final class OneDnnStepMain {

    private OneDnnStepMain() {}

    public static void main(String[] args) {
        ComputePrecision precision = ComputePrecision.parse(args[0]);
        TensorFlowRuntime.fromSystemProperties().load(DeviceRequest.CPU, notice -> { });
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, NetworkPlan.of(MixedPrecisionTest.TINY, 28), Precision.FLOAT32,
                    precision, new OptimizerSpec(0.9, false, 0), false, TrainingTransforms.NONE);
            try (Session session = new Session(graph, Trainer.sessionConfig(2))) {
                Trainer.initialize(session, net, 1);
                var images = Benchmark.syntheticImages(32);
                for (int step = 0; step < 2; step++) {
                    Trainer.trainStep(session, net, images, 0.01, new long[] {1, step});
                }
            }
        }
        System.out.println("nin-onednn-step-done " + precision.key());
    }
}
