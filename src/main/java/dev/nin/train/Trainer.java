package dev.nin.train;

import dev.nin.config.UsageException;
import dev.nin.io.PausePoint;

import dev.nin.data.DataOptions;
import dev.nin.data.ImageSet;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.CostReport;
import dev.nin.model.Initializer;
import dev.nin.model.ModelSpec;
import dev.nin.model.NetworkPlan;
import dev.nin.model.NinGraph;
import dev.nin.model.Precision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * Trains a {@link ModelSpec} on Fashion-MNIST with one TensorFlow graph and session per run,
 * announcing progress as {@link TrainingEvent}s. Each step is one {@code Session.run}.
 */
public final class Trainer {

    /** Images per evaluation step; evaluation keeps no activations for a backward pass. */
    public static final int EVAL_BATCH_SIZE = 256;

    private final RuntimeInfo runtime;

    public Trainer(RuntimeInfo runtime) {
        this.runtime = runtime;
    }

    /** TensorFlow session options: thread counts, and growth instead of grabbing the whole GPU. */
    public static ConfigProto sessionConfig(int threads) {
        return sessionConfig(threads, false);
    }

    /**
     * Session options, optionally with XLA's JIT compiling the graph's clusters ({@code nin bench
     * --xla} weighs it; training does not use it, see docs/performance.md).
     */
    public static ConfigProto sessionConfig(int threads, boolean xla) {
        ConfigProto.Builder config = ConfigProto.newBuilder().setAllowSoftPlacement(true)
                .setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
        if (threads > 0) {
            config.setIntraOpParallelismThreads(threads).setInterOpParallelismThreads(1);
        }
        if (xla) {
            config.setGraphOptions(org.tensorflow.proto.GraphOptions.newBuilder().setOptimizerOptions(
                    org.tensorflow.proto.OptimizerOptions.newBuilder().setGlobalJitLevel(
                            org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1)));
        }
        return config.build();
    }

    /**
     * Trains and evaluates after every epoch. Stops early, with status DIVERGED, when the loss
     * or the gradients stop being finite; with status PRUNED when the request's gate says so
     * (a sweep's pruning rule); with status STALLED when the loss stays on the ln(classes)
     * plateau for the config's {@link StallRule}. With checkpoints, saves one after every epoch
     * and resumes after the request's epoch; with a SavedModel folder, exports the model there
     * when training completes (the result then names it).
     */
    public TrainingResult train(TrainRequest request) {
        ModelSpec spec = request.model();
        TrainConfig config = request.config();
        DataOptions.Splits data = request.data();
        TrainingListener listener = request.listener();
        Checkpoints checkpoints = request.checkpoints().orElse(null);
        int resumeAfter = request.resumeAfter();
        java.nio.file.Path savedModel = request.savedModel().orElse(null);
        EpochGate gate = request.gate();
        if (checkpoints != null) {
            // A checkpoint after resumeAfter was saved by a run killed before that epoch's row committed.
            checkpoints.discardAfter(resumeAfter);
        }
        NetworkPlan plan = config.plan(spec);
        CostReport costs = new CostReport(plan);
        ImageSet train = data.train();
        if (train.size() == 0) {
            throw new UsageException("train-limit: no training images left to train on");
        }
        int batches = (train.size() + config.batchSize() - 1) / config.batchSize();
        PrecisionChoice precision = request.precision()
                .orElseGet(() -> PrecisionChoice.choose(config.options().precision(), runtime));
        listener.on(new TrainingEvent.Started(config, costs, runtime, train.size(), data.validation().size(),
                data.test().size(), batches, resumeAfter, precision));
        try (Graph graph = new Graph()) {
            NinGraph<TFloat32> net = NinGraph.build(graph, plan, Precision.FLOAT32, precision.precision(), config.optimizer(),
                    runtime.gpu(), config.options().transforms());
            StallRule stall = config.options().stall();
            int plateauSteps = 0;
            try (Session session = new Session(graph, sessionConfig(config.threads()))) {
                initialize(session, net, config.seed(), config.options().initializer());
                if (resumeAfter > 0) {
                    session.restore(checkpoints.prefix(resumeAfter));
                }
                List<EpochMetrics> epochs = new ArrayList<>();
                for (int epoch = resumeAfter + 1; epoch <= config.epochs(); epoch++) {
                    long epochStart = System.nanoTime();
                    int[] order = ImageSet.permutation(train.size(), config.seed() * 1_000_003L + epoch);
                    double lossSum = 0;
                    double correct = 0;
                    long stepNanos = 0;
                    for (int b = 0; b < batches; b++) {
                        int from = b * config.batchSize();
                        int to = Math.min(train.size(), from + config.batchSize());
                        ImageSet batch = train.select(order, from, to);
                        long stepStart = System.nanoTime();
                        long globalStep = (long) (epoch - 1) * batches + b;
                        double[] step = trainStep(session, net, batch, config.learningRateAt(globalStep, batches),
                                new long[] {config.seed(), (long) epoch * batches + b});
                        long stepTook = System.nanoTime() - stepStart;
                        stepNanos += stepTook;
                        StepVerdict verdict = StepVerdict.of(step);
                        if (verdict == StepVerdict.SKIPPED) {
                            listener.on(new TrainingEvent.StepSkipped(epoch, b + 1, step[4]));
                        }
                        if (verdict.diverged()) {
                            TrainingResult result = new TrainingResult(TrainingResult.Status.DIVERGED, epochs,
                                    runtime.device(), weightsSha256(session, net), "epoch " + epoch + " step " + (b + 1)
                                    + verdict.detail(step), java.util.Optional.empty());
                            listener.on(new TrainingEvent.Finished(result));
                            return result;
                        }
                        lossSum += step[0] * batch.size();
                        correct += step[1];
                        listener.on(new TrainingEvent.BatchEnded(epoch, b + 1, batches, step[0], batch.size(), stepTook / 1e9));
                        plateauSteps = stall.enabled() && stall.onPlateau(step[0], plan.spec().classes()) ? plateauSteps + 1 : 0;
                        if (stall.enabled() && plateauSteps >= stall.steps()) {
                            TrainingResult result = new TrainingResult(TrainingResult.Status.STALLED, epochs,
                                    runtime.device(), weightsSha256(session, net), "epoch " + epoch + " step " + (b + 1)
                                    + " (" + plateauSteps + " steps within " + stall.band() + " of ln "
                                    + plan.spec().classes() + ")", java.util.Optional.empty());
                            listener.on(new TrainingEvent.Finished(result));
                            return result;
                        }
                    }
                    double trainSeconds = stepNanos / 1e9;
                    listener.on(new TrainingEvent.Evaluating(epoch, data.validation().size() + data.test().size()));
                    long evaluationStart = System.nanoTime();
                    double validation = data.validation().size() == 0 ? Double.NaN
                            : evaluate(session, net, data.validation())[1];
                    double test = data.test().size() == 0 ? Double.NaN : evaluate(session, net, data.test())[1];
                    double evaluationSeconds = (System.nanoTime() - evaluationStart) / 1e9;
                    EpochMetrics metrics = new EpochMetrics(epoch, lossSum / train.size(), correct / train.size(),
                            validation, test, train.size() / trainSeconds, trainSeconds, evaluationSeconds,
                            (System.nanoTime() - epochStart) / 1e9);
                    epochs.add(metrics);
                    if (checkpoints != null) {
                        // Saved before the epoch is announced (and recorded), so every recorded epoch has one;
                        // a kill before the row commits leaves one the resume discards (see Checkpoints).
                        checkpoints.prepare(epoch);
                        session.save(checkpoints.prefix(epoch));
                        PausePoint.CHECKPOINT_WRITTEN.reach(epoch);
                        checkpoints.saved(epoch);
                        PausePoint.CHECKPOINT_MARKED.reach(epoch);
                    }
                    listener.on(new TrainingEvent.EpochEnded(metrics));
                    PausePoint.EPOCH_RECORDED.reach(epoch);
                    EpochGate.Verdict verdict = epoch < config.epochs() ? gate.afterEpoch(metrics) : EpochGate.Verdict.CONTINUE;
                    if (verdict.stop()) {
                        TrainingResult result = new TrainingResult(TrainingResult.Status.PRUNED, epochs, runtime.device(),
                                weightsSha256(session, net), verdict.detail(), java.util.Optional.empty());
                        listener.on(new TrainingEvent.Finished(result));
                        return result;
                    }
                }
                String weights = weightsSha256(session, net);
                SavedModels.Exported exported = null;
                if (savedModel != null) {
                    ModelCard card = ModelCard.of(request.savedModelOrigin().orElseThrow(), precision.precision(),
                            runtime.device(), Provenance.of(runtime), epochs.isEmpty() ? null : epochs.get(epochs.size() - 1),
                            weights);
                    try {
                        exported = SavedModels.export(session, net, savedModel, card);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException("could not export the model to " + savedModel, e);
                    }
                }
                TrainingResult result = new TrainingResult(TrainingResult.Status.COMPLETED, epochs, runtime.device(),
                        weights, "", java.util.Optional.ofNullable(exported));
                listener.on(new TrainingEvent.Finished(result));
                return result;
            }
        }
    }

    /** Loads Xavier (Glorot-uniform) weights drawn from {@code seed}, as the book, and zeroes optimizer state. */
    public static void initialize(Session session, NinGraph<?> net, long seed) {
        initialize(session, net, seed, Initializer.XAVIER);
    }

    /** Loads weights drawn by {@code scheme} from {@code seed}, and zeroes optimizer state and BN statistics. */
    public static void initialize(Session session, NinGraph<?> net, long seed, Initializer scheme) {
        Initializer.Draw init = scheme.seeded(seed);
        List<Tensor> values = new ArrayList<>();
        try {
            Session.Runner runner = session.runner();
            for (NinGraph.Slot<?> slot : net.parameters) {
                Tensor value = net.precision.tensor(slot.parameter().dims(), init.values(slot.parameter()));
                values.add(value);
                runner.feed(slot.value(), value).addTarget(slot.assign());
            }
            runner.addTarget(net.initOptimizer).run().close();
        } finally {
            values.forEach(Tensor::close);
        }
    }

    /**
     * What one step's figures say: fine, skipped by fp16's loss scaling (not finite at this scale;
     * nothing changed), or diverged. A loss that is not finite is divergence in every precision;
     * gradients that are not finite are divergence unless loss scaling skipped the step, and even
     * then once the scale has fallen below {@link #LOSS_SCALE_FLOOR} (no scale makes them finite).
     */
    enum StepVerdict {
        APPLIED, SKIPPED, LOSS_NOT_FINITE, GRADIENTS_NOT_FINITE, LOSS_SCALE_EXHAUSTED;

        /** Below this, halving the loss scale further cannot be what makes gradients finite. */
        static final double LOSS_SCALE_FLOOR = 1.0;

        /** @param step {loss, correct, squared gradient sum, applied (1/0), loss scale after (NaN without scaling)} */
        static StepVerdict of(double[] step) {
            if (!Double.isFinite(step[0])) {
                return LOSS_NOT_FINITE;
            }
            if (step[3] != 0) {
                return Double.isFinite(step[2]) ? APPLIED : GRADIENTS_NOT_FINITE;
            }
            return step[4] < LOSS_SCALE_FLOOR ? LOSS_SCALE_EXHAUSTED : SKIPPED;
        }

        boolean diverged() {
            return this == LOSS_NOT_FINITE || this == GRADIENTS_NOT_FINITE || this == LOSS_SCALE_EXHAUSTED;
        }

        /** Appended to the step in a diverged result, where there is more to say. */
        String detail(double[] step) {
            return this == LOSS_SCALE_EXHAUSTED
                    ? String.format(java.util.Locale.ROOT, " (fp16 gradients not finite even at loss scale %s)", step[4] * 2)
                    : "";
        }
    }

    /**
     * One SGD step; returns {mean loss, correct count, sum of squared gradients, 1 if the update
     * was applied else 0, loss scale after the step or NaN} of the batch before the update.
     */
    static double[] trainStep(Session session, NinGraph<?> net, ImageSet batch, double learningRate, long[] dropoutSeed) {
        try (TUint8 images = images(batch);
                TInt32 labels = labels(batch);
                Tensor lr = net.precision.scalar(learningRate);
                TInt64 seed = TInt64.vectorOf(dropoutSeed)) {
            Session.Runner runner = session.runner().feed(net.images, images).feed(net.labels, labels)
                    .feed(net.learningRate, lr).feed(net.dropoutSeed, seed)
                    .fetch(net.trainLoss).fetch(net.trainCorrect).fetch(net.gradientSquaredSum).fetch(net.stepApplied)
                    .addTarget(net.trainStep);
            if (net.lossScaleAfterStep != null) {
                // The step's new scale, computed in the same run (no second Session.run per step).
                runner.fetch(net.lossScaleAfterStep);
            }
            try (Result result = runner.run()) {
                boolean applied = ((org.tensorflow.types.TBool) result.get(3)).getBoolean();
                double scale = net.lossScaleAfterStep == null ? Double.NaN : Precision.readScalar(result.get(4));
                return new double[] {Precision.readScalar(result.get(0)), Precision.readScalar(result.get(1)),
                    Precision.readScalar(result.get(2)), applied ? 1 : 0, scale};
            }
        }
    }

    /** {mean loss, accuracy} of the evaluation path (no dropout) over {@code set}. */
    public static double[] evaluate(Session session, NinGraph<?> net, ImageSet set) {
        double lossSum = 0;
        double correct = 0;
        int[] order = ImageSet.identity(set.size());
        for (int from = 0; from < set.size(); from += EVAL_BATCH_SIZE) {
            int to = Math.min(set.size(), from + EVAL_BATCH_SIZE);
            ImageSet batch = set.select(order, from, to);
            try (TUint8 images = images(batch);
                    TInt32 labels = labels(batch);
                    Result result = session.runner().feed(net.images, images).feed(net.labels, labels)
                            .fetch(net.evalLoss).fetch(net.evalCorrect).run()) {
                lossSum += Precision.readScalar(result.get(0)) * batch.size();
                correct += Precision.readScalar(result.get(1));
            }
        }
        return new double[] {lossSum / set.size(), correct / set.size()};
    }

    /** The current value of every parameter, in parameter order. */
    public static List<double[]> weights(Session session, NinGraph<?> net) {
        Session.Runner runner = session.runner();
        net.parameters.forEach(slot -> runner.fetch(slot.variable()));
        List<double[]> out = new ArrayList<>();
        try (Result result = runner.run()) {
            for (int i = 0; i < net.parameters.size(); i++) {
                out.add(Precision.read(result.get(i)));
            }
        }
        return out;
    }

    static String weightsSha256(Session session, NinGraph<?> net) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (double[] values : weights(session, net)) {
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : values) {
                    bytes.putFloat((float) v);
                }
                digest.update(bytes.array());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static TUint8 images(ImageSet batch) {
        return TUint8.tensorOf(Shape.of(batch.size(), ImageSet.SIDE, ImageSet.SIDE),
                DataBuffers.of(batch.pixels(), true, false));
    }

    static TInt32 labels(ImageSet batch) {
        int[] values = new int[batch.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = batch.label(i);
        }
        return TInt32.tensorOf(Shape.of(values.length), DataBuffers.of(values, true, false));
    }
}
