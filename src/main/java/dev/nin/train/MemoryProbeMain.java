package dev.nin.train;

import dev.nin.engine.DeviceRequest;
import dev.nin.engine.TensorFlowRuntime;
import dev.nin.model.ModelSpecJson;
import dev.nin.model.NetworkPlan;
import dev.nin.model.NinGraph;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.ComputePrecision;
import dev.nin.model.Precision;
import dev.nin.engine.ProcessMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/**
 * The child side of {@link MemoryProbe}: a fresh JVM that loads TensorFlow, notes its resident
 * memory, then builds one NiN graph and runs a few training steps or forward passes, and prints how
 * far the process's peak resident memory rose above that baseline. A fresh process is needed
 * because memory TensorFlow frees stays resident, which would hide the next measurement.
 *
 * <p>Arguments: {@code training|prediction resize batch momentum threads}; the model spec (JSON)
 * comes on standard input. Output: one line {@code baseline_bytes=B peak_bytes=P}.
 */
public final class MemoryProbeMain {

    /** Steps run after the first, so lazily allocated buffers of the second step count too. */
    static final int STEPS = 2;

    private MemoryProbeMain() {}

    public static void main(String[] args) throws IOException {
        MemoryProbe.Mode mode = MemoryProbe.Mode.valueOf(args[0].toUpperCase(java.util.Locale.ROOT));
        int resize = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        double momentum = Double.parseDouble(args[3]);
        int threads = Integer.parseInt(args[4]);
        ComputePrecision precision = args.length > 5 ? ComputePrecision.parse(args[5]) : ComputePrecision.FP32;
        String specJson = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        NetworkPlan plan = NetworkPlan.of(ModelSpecJson.read(specJson), resize);

        TensorFlowRuntime.fromSystemProperties().load(DeviceRequest.CPU, notice -> { });
        warmUpRuntime(threads);
        System.gc();
        long baseline = ProcessMemory.residentBytes();
        ProcessMemory.resetPeak();

        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, plan, Precision.FLOAT32, precision,
                    new OptimizerSpec(momentum, false, 0), false, dev.nin.model.TrainingTransforms.NONE);
            try (Session session = new Session(graph, Trainer.sessionConfig(threads))) {
                Trainer.initialize(session, net, 1);
                var images = Benchmark.syntheticImages(batch);
                for (int step = 0; step < STEPS; step++) {
                    if (mode == MemoryProbe.Mode.TRAINING) {
                        Trainer.trainStep(session, net, images, 0.01, new long[] {1, step});
                    } else {
                        try (TUint8 input = Trainer.images(images)) {
                            session.runner().feed(net.images, input).fetch(net.probabilities).run().close();
                        }
                    }
                }
            }
        }
        System.out.println("baseline_bytes=" + baseline + " peak_bytes=" + ProcessMemory.peakResidentBytes());
    }

    /** Creates TensorFlow's thread pools and kernels registry, which every run pays before any model. */
    private static void warmUpRuntime(int threads) {
        try (Graph graph = new Graph()) {
            Ops tf = Ops.create(graph);
            var sum = tf.math.add(tf.constant(1f), tf.constant(2f));
            try (Session session = new Session(graph, Trainer.sessionConfig(threads))) {
                session.runner().fetch(sum).run().close();
            }
        }
    }
}
