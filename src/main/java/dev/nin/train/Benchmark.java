package dev.nin.train;

import java.util.List;

import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;
import dev.nin.model.CostReport;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.NinGraph;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Precision;
import dev.nin.model.TrainingTransforms;
import dev.nin.data.ImageSet;

import java.util.SplittableRandom;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * Measures training and inference speed of NiN on synthetic images, and the machine's convolution
 * ceiling through TensorFlow in the same process, so achieved GFLOP/s can be read against it.
 */
public final class Benchmark {

    /** The ceiling probe: a 5x5 conv, 96 → 256 channels, at 26x26 — NiN's heaviest layer at 224. */
    public static final int CEILING_SIDE = 26;
    public static final int CEILING_KERNEL = 5;
    public static final int CEILING_IN = 96;
    public static final int CEILING_OUT = 256;

    private final RuntimeInfo runtime;
    private final int threads;
    private final boolean xla;

    public Benchmark(RuntimeInfo runtime, int threads) {
        this(runtime, threads, false);
    }

    /** @param xla let XLA's JIT compile the graphs (a lever to weigh; training does not use it) */
    public Benchmark(RuntimeInfo runtime, int threads, boolean xla) {
        this.runtime = runtime;
        this.threads = threads;
        this.xla = xla;
    }

    /**
     * One measurement.
     *
     * @param imagesPerSecond images processed per second of the timed steps
     * @param gflops achieved GFLOP/s from the counted FLOPs
     */
    public record Measurement(double imagesPerSecond, double gflops) {}

    /**
     * A phase's speed and the convolution ceiling measured alongside it.
     *
     * @param ceilingGflops GFLOP/s of the ceiling probe, timed in turns with the phase's steps
     */
    public record Paired(Measurement phase, double ceilingGflops) {
        /** Achieved GFLOP/s over the ceiling. */
        public double ratio() {
            return phase.gflops() / ceilingGflops;
        }
    }

    /** What is timed. */
    public enum Phase { TRAINING, INFERENCE }

    /** Training steps (forward, backward, update) per second on random images, in float32. */
    public Measurement training(ModelSpec spec, int resize, int batch, int warmup, int steps) {
        return training(spec, resize, batch, warmup, steps, ComputePrecision.FP32);
    }

    /** As above, computing in {@code precision}. */
    public Measurement training(ModelSpec spec, int resize, int batch, int warmup, int steps, ComputePrecision precision) {
        return measure(spec, resize, batch, warmup, steps, Phase.TRAINING, precision, false).phase();
    }

    /**
     * The phase's speed with the ceiling timed in turns with it: after every step of the phase, as
     * many ceiling steps as take about as long. This machine's speed drifts by a third within
     * minutes (shared cores, bursts faster than sustained work), so a ceiling measured before or
     * after would not be the ceiling the phase ran under.
     */
    public Paired paired(ModelSpec spec, int resize, int batch, int warmup, int steps, Phase phase) {
        return paired(spec, resize, batch, warmup, steps, phase, ComputePrecision.FP32);
    }

    /**
     * As above with the network computing in {@code precision}, and the ceiling's convolution in
     * the same precision: a bf16 phase is read against what bf16 convolutions reach here.
     */
    public Paired paired(ModelSpec spec, int resize, int batch, int warmup, int steps, Phase phase, ComputePrecision precision) {
        return measure(spec, resize, batch, warmup, steps, phase, precision, true);
    }

    private Paired measure(ModelSpec spec, int resize, int batch, int warmup, int steps, Phase phase, ComputePrecision precision,
            boolean withCeiling) {
        NetworkPlan plan = NetworkPlan.of(spec, resize);
        CostReport costs = new CostReport(plan);
        ImageSet images = syntheticImages(batch);
        try (Graph graph = new Graph(); Ceiling ceiling = withCeiling ? new Ceiling(batch, precision) : null) {
            NinGraph<TFloat32> net = NinGraph.build(graph, plan, Precision.FLOAT32, precision, OptimizerSpec.BOOK_SGD,
                    runtime.gpu(), TrainingTransforms.NONE);
            try (Session session = new Session(graph, Trainer.sessionConfig(threads, xla)); TUint8 input = Trainer.images(images)) {
                Trainer.initialize(session, net, 1);
                long[] step = {0};
                java.util.function.LongSupplier run = () -> {
                    long start = System.nanoTime();
                    if (phase == Phase.TRAINING) {
                        Trainer.trainStep(session, net, images, 0.01, new long[] {1, step[0]++});
                    } else {
                        session.runner().feed(net.images, input).fetch(net.logits).run().close();
                    }
                    return System.nanoTime() - start;
                };
                long phaseStep = 0;
                for (int i = 0; i < warmup; i++) {
                    phaseStep = run.getAsLong();
                }
                int ceilingPerStep = 0;
                if (ceiling != null) {
                    ceiling.step();
                    long ceilingStep = ceiling.step();
                    ceilingPerStep = (int) Math.max(1, Math.round((double) phaseStep / Math.max(1, ceilingStep)));
                }
                long phaseNanos = 0;
                long ceilingNanos = 0;
                for (int i = 0; i < steps; i++) {
                    phaseNanos += run.getAsLong();
                    for (int k = 0; k < ceilingPerStep; k++) {
                        ceilingNanos += ceiling.step();
                    }
                }
                double seconds = phaseNanos / 1e9;
                double rate = batch * steps / seconds;
                long flopsPerImage = phase == Phase.TRAINING ? costs.trainingFlops() : costs.forwardFlops();
                Measurement measured = new Measurement(rate, rate * flopsPerImage / 1e9);
                double ceilingGflops = ceiling == null ? Double.NaN
                        : ceiling.measurement((long) steps * ceilingPerStep, ceilingNanos).gflops();
                return new Paired(measured, ceilingGflops);
            }
        }
    }

    /**
     * Where a training step's time goes: {@code warmup} untimed steps, then {@code steps} steps traced
     * by TensorFlow ({@code FULL_TRACE}), their kernel times added up by op type.
     */
    public OpProfile profile(ModelSpec spec, int resize, int batch, int warmup, int steps, ComputePrecision precision) {
        NetworkPlan plan = NetworkPlan.of(spec, resize);
        ImageSet images = syntheticImages(batch);
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, plan, Precision.FLOAT32, precision, OptimizerSpec.BOOK_SGD,
                    runtime.gpu(), TrainingTransforms.NONE);
            try (Session session = new Session(graph, Trainer.sessionConfig(threads, xla));
                    TUint8 input = Trainer.images(images);
                    TInt32 labels = Trainer.labels(images);
                    TFloat32 rate = TFloat32.scalarOf(0.01f);
                    TInt64 seed = TInt64.vectorOf(1, 0)) {
                Trainer.initialize(session, net, 1);
                for (int i = 0; i < warmup; i++) {
                    Trainer.trainStep(session, net, images, 0.01, new long[] {1, i});
                }
                RunOptions trace = RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build();
                List<RunMetadata> runs = new java.util.ArrayList<>();
                for (int i = 0; i < steps; i++) {
                    try (Result result = session.runner().feed(net.images, input).feed(net.labels, labels)
                            .feed(net.learningRate, rate).feed(net.dropoutSeed, seed).fetch(net.trainLoss)
                            .addTarget(net.trainStep).setOptions(trace).runAndFetchMetadata()) {
                        result.getMetadata().ifPresent(runs::add);
                    }
                }
                return OpProfile.of(runs);
            }
        }
    }

    /** The ceiling probe: one 5x5 conv, 96 → 256 channels, at 26x26, on random data, in one precision. */
    private final class Ceiling implements AutoCloseable {
        private final int batch;
        private final Graph graph = new Graph();
        private final Session session;
        private final Operand<?> sum;

        Ceiling(int batch, ComputePrecision precision) {
            this.batch = batch;
            Ops tf = Ops.create(graph);
            sum = build(tf, precision.type());
            session = new Session(graph, Trainer.sessionConfig(threads, xla));
            try (TFloat32 xv = random(new long[] {batch, CEILING_SIDE, CEILING_SIDE, CEILING_IN});
                    TFloat32 wv = random(new long[] {CEILING_KERNEL, CEILING_KERNEL, CEILING_IN, CEILING_OUT})) {
                session.runner().feed("x_init", xv).feed("w_init", wv).addTarget("x_assign").addTarget("w_assign").run().close();
            }
        }

        /** Variables x and w of type C, loaded from float32 feeds, and the sum of their convolution. */
        private <C extends org.tensorflow.types.family.TFloating> Operand<C> build(Ops tf, Class<C> type) {
            Placeholder<TFloat32> xInit = tf.withName("x_init").placeholder(TFloat32.class);
            Placeholder<TFloat32> wInit = tf.withName("w_init").placeholder(TFloat32.class);
            Variable<C> x = tf.variable(Shape.of(batch, CEILING_SIDE, CEILING_SIDE, CEILING_IN), type);
            Variable<C> w = tf.variable(Shape.of(CEILING_KERNEL, CEILING_KERNEL, CEILING_IN, CEILING_OUT), type);
            tf.withName("x_assign").assign(x, tf.dtypes.cast(xInit, type));
            tf.withName("w_assign").assign(w, tf.dtypes.cast(wInit, type));
            Operand<C> y = tf.nn.conv2d(x, w, java.util.List.of(1L, 1L, 1L, 1L), "SAME");
            // Fetch one number so the timing is the convolution, not copying its output to Java.
            return tf.sum(y, tf.constant(new int[] {0, 1, 2, 3}));
        }

        /** Runs one convolution; returns its nanoseconds. */
        long step() {
            long start = System.nanoTime();
            session.runner().fetch(sum).run().close();
            return System.nanoTime() - start;
        }

        Measurement measurement(long steps, long nanos) {
            double seconds = nanos / 1e9;
            double flops = 2.0 * batch * CEILING_SIDE * CEILING_SIDE * CEILING_KERNEL * CEILING_KERNEL * CEILING_IN * CEILING_OUT * steps;
            return new Measurement(batch * steps / seconds, flops / seconds / 1e9);
        }

        @Override
        public void close() {
            session.close();
            graph.close();
        }
    }

    /**
     * Microseconds to prepare one training batch on the Java side as training does (pick the
     * shuffled images, build the image and label tensors): the most that preparing the next batch
     * on another thread could hide.
     */
    public double batchPreparationMicros(int batch, int repeats) {
        ImageSet images = syntheticImages(Math.max(batch * 4, 1024));
        int[] order = ImageSet.permutation(images.size(), 3);
        long start = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            int from = (i * batch) % (images.size() - batch + 1);
            ImageSet b = images.select(order, from, from + batch);
            try (var x = Trainer.images(b); var y = Trainer.labels(b)) {
                // Built and released, as a training step does.
            }
        }
        return (System.nanoTime() - start) / 1e3 / repeats;
    }

    /**
     * Runs {@code trials} short trainings one after another, each with its own graph and session as
     * a sweep's trials are, and returns the process's resident memory after each, in bytes: it
     * must not grow from one to the next.
     */
    public List<Long> residentMemoryAcrossTrials(ModelSpec spec, int resize, int batch, int trials, int steps) {
        List<Long> resident = new java.util.ArrayList<>();
        for (int t = 0; t < trials; t++) {
            training(spec, resize, batch, 0, steps);
            resident.add(dev.nin.engine.ProcessMemory.residentBytes());
        }
        return resident;
    }

    static ImageSet syntheticImages(int batch) {
        SplittableRandom random = new SplittableRandom(7);
        byte[] pixels = new byte[batch * ImageSet.PIXELS];
        byte[] labels = new byte[batch];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        for (int i = 0; i < batch; i++) {
            labels[i] = (byte) random.nextInt(10);
        }
        return new ImageSet(pixels, labels);
    }

    private static TFloat32 random(long[] dims) {
        SplittableRandom random = new SplittableRandom(3);
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(values, true, false));
    }
}
