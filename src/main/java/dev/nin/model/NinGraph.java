package dev.nin.model;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TFloating;

/**
 * Builds the TensorFlow graph of a {@link NetworkPlan}: a training step (forward with dropout,
 * softmax cross-entropy, TensorFlow's own gradients, SGD update by TensorFlow's kernels) and an
 * evaluation path without dropout that shares the same variables. Layout is NHWC, which
 * TensorFlow's CPU kernels require.
 *
 * <p>Feeds: {@link #IMAGES} uint8 [N, 28, 28]; {@link #LABELS} int32 [N];
 * {@link #LEARNING_RATE} scalar; {@link #DROPOUT_SEED} int64 [2]. A whole training step is one
 * {@code Session.run} fetching {@link #trainLoss} and {@link #trainCorrect} with target
 * {@link #trainStep}.
 *
 * <p>Mixed precision ({@link ComputePrecision} bf16 or fp16): the variables stay float32; the
 * forward pass casts each weight to the compute type where it is used, so convolutions, pooling and
 * dropout run in it and TensorFlow's gradient of each cast hands float32 gradients back to the
 * update. The global average pool, the loss and batch normalisation run in float32. fp16 adds
 * dynamic loss scaling: the loss is multiplied by {@link #lossScale} before the backward pass and
 * the gradients divided by it after; a step whose gradients are not finite changes no weight and
 * halves the scale, and after {@link #LOSS_SCALE_GROWTH_STEPS} good steps in a row it doubles.
 *
 * @param <T> float type of the variables and the loss (see {@link Precision})
 */
public final class NinGraph<T extends TFloating> {

    public static final String IMAGES = "images";
    public static final String LABELS = "labels";
    public static final String LEARNING_RATE = "learning_rate";
    public static final String DROPOUT_SEED = "dropout_seed";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";

    /** Pixel values arrive as 0…255 and are scaled to [0, 1], as the book's ToTensor. */
    private static final float PIXEL_SCALE = 1f / 255f;

    public final NetworkPlan plan;
    public final Precision precision;
    public final Placeholder<TUint8> images;
    public final Placeholder<TInt32> labels;
    public final Placeholder<T> learningRate;
    public final Placeholder<TInt64> dropoutSeed;
    /** Mean cross-entropy of the batch, training path (with dropout), before the update. */
    public final Operand<T> trainLoss;
    /** Correctly classified images of the batch, training path. */
    public final Operand<T> trainCorrect;
    /** Applies one SGD update to every parameter. */
    public final Op trainStep;
    /** Mean cross-entropy, evaluation path (no dropout). */
    public final Operand<T> evalLoss;
    /** Correctly classified images, evaluation path. */
    public final Operand<T> evalCorrect;
    /** [N, classes] logits, evaluation path. */
    public final Operand<T> logits;
    /** [N, classes] softmax probabilities, evaluation path. */
    public final Operand<T> probabilities;
    /** Gradient of {@link #trainLoss} for each parameter, in {@link #parameters} order. */
    public final List<Output<T>> gradients;
    /**
     * Scalar: the sum of every gradient's squared values in a training step. Not finite when the
     * step blew up, even where the loss stays finite: a fused ReLU (oneDNN's) turns NaN
     * activations into zeros, so a network wrecked by a huge learning rate can report the loss ln C.
     */
    public final Operand<T> gradientSquaredSum;
    public final List<Slot<T>> parameters;
    /** Sets optimizer state (momentum accumulators) to zero and BN running statistics to mean 0, variance 1. */
    public final Op initOptimizer;
    /**
     * The training path's input after augmentation, T [N, R, R, 1] (the evaluation path's is
     * {@link #evalInput}); fetched by tests to see what augmentation does.
     */
    public final Operand<T> trainInput;
    public final Operand<T> evalInput;
    /** Running mean and variance of each BN layer, in layer order (empty without BN). */
    public final List<Variable<T>> batchNormStatistics = new ArrayList<>();

    /** fp16's first loss scale, 2^15, as Keras's LossScaleOptimizer. */
    public static final double LOSS_SCALE_INITIAL = 32768;
    /** Good steps in a row after which fp16's loss scale doubles, as Keras's. */
    public static final int LOSS_SCALE_GROWTH_STEPS = 2000;

    /** What the graph computes activations in; the variables are {@link #precision}. */
    public final ComputePrecision compute;
    /** Scalar bool: whether this training step changed the weights (false only for fp16 steps skipped for non-finite gradients). */
    public final Operand<TBool> stepApplied;
    /** fp16 only: the loss scale after this training step (halved on a skipped step), T scalar; else null. */
    public final Operand<T> lossScaleAfterStep;
    /** fp16 only: the loss scale variable (checkpointed with the weights); else null. */
    public final Variable<T> lossScale;

    /** BN's ε, as Keras and PyTorch; and the weight of each batch in the running statistics. */
    static final double BN_EPSILON = 1e-5;
    static final double BN_MOMENTUM = 0.1;

    /** A parameter's variable, with the placeholder and assign op that load its value. */
    public record Slot<T extends TFloating>(Parameter parameter, Variable<T> variable, Placeholder<T> value, Op assign) {}

    private final Ops tf;
    private final Class<T> type;
    private final TrainingTransforms transforms;
    private int dropoutIndex;
    /** Running (mean, variance) per BN layer by name, created by the training path, read by the evaluation path. */
    private final java.util.Map<String, List<Variable<T>>> running = new java.util.HashMap<>();
    private final List<Op> statisticUpdates = new ArrayList<>();
    private final List<Op> statisticInits = new ArrayList<>();

    private NinGraph(Graph graph, NetworkPlan plan, Precision precision, ComputePrecision compute, OptimizerSpec optimizer,
            boolean gpu, TrainingTransforms transforms) {
        if (compute != ComputePrecision.FP32 && precision != Precision.FLOAT32) {
            throw new IllegalArgumentException("mixed precision: expected float32 variables under " + compute.key()
                    + ", found " + precision);
        }
        this.compute = compute;
        this.plan = plan;
        this.transforms = transforms;
        this.precision = precision;
        this.type = precision.type();
        Ops root = Ops.create(graph);
        this.tf = gpu ? root.withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0).build())
                : root;

        images = tf.withName(IMAGES).placeholder(TUint8.class,
                Placeholder.shape(Shape.of(-1, 28, 28)));
        labels = tf.withName(LABELS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        learningRate = tf.withName(LEARNING_RATE).placeholder(type, Placeholder.shape(Shape.scalar()));
        dropoutSeed = tf.withName(DROPOUT_SEED).placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));

        parameters = new ArrayList<>();
        for (Parameter p : Parameter.of(plan)) {
            Ops scoped = tf.withSubScope(p.name().replace('/', '_'));
            Variable<T> variable = scoped.withName("var").variable(Shape.of(p.dims()), type);
            Placeholder<T> value = scoped.withName("init_value").placeholder(type, Placeholder.shape(Shape.of(p.dims())));
            parameters.add(new Slot<>(p, variable, value, scoped.withName("init").assign(variable, value)));
        }

        evalInput = preprocess(images, false);
        trainInput = transforms.cropPadding() > 0 || transforms.flip() ? preprocess(images, true) : evalInput;
        Class<? extends TFloating> computeType = compute == ComputePrecision.FP32 ? type : compute.type();
        Operand<T> trainLogits = forward(trainInput, true, computeType);
        trainLoss = crossEntropy(trainLogits, transforms.labelSmoothing());
        trainCorrect = correct(trainLogits);

        Operand<T> evalLogits = tf.withName(LOGITS).identity(forward(evalInput, false, computeType));
        logits = evalLogits;
        probabilities = tf.withName(PROBABILITIES).nn.softmax(evalLogits);
        evalLoss = crossEntropy(evalLogits, 0);
        evalCorrect = correct(evalLogits);

        List<Operand<?>> variables = new ArrayList<>();
        parameters.forEach(s -> variables.add(s.variable()));
        gradients = new ArrayList<>();
        if (compute.lossScaling()) {
            lossScale = tf.withName("loss_scale").variable(Shape.scalar(), type);
            Operand<T> scaledLoss = tf.math.mul(trainLoss, lossScale);
            Operand<T> inverse = tf.math.div(constant(1.0), lossScale);
            for (Output<?> g : tf.gradients(scaledLoss, variables).dy()) {
                @SuppressWarnings("unchecked")
                Output<T> typed = (Output<T>) g;
                gradients.add(tf.math.mul(typed, inverse).asOutput());
            }
        } else {
            lossScale = null;
            for (Output<?> g : tf.gradients(trainLoss, variables).dy()) {
                @SuppressWarnings("unchecked")
                Output<T> typed = (Output<T>) g;
                gradients.add(typed);
            }
        }

        List<Operand<T>> squaredSums = new ArrayList<>();
        for (Output<T> g : gradients) {
            squaredSums.add(tf.reduceSum(tf.math.square(tf.reshape(g, tf.constant(new int[] {-1}))), tf.constant(0)));
        }
        gradientSquaredSum = tf.withName("gradient_squared_sum").math.addN(squaredSums);
        stepApplied = compute.lossScaling() ? tf.withName("step_applied").math.isFinite(gradientSquaredSum)
                : tf.withName("step_applied").constant(true);

        // Variables are read by reference, so an update must not start before every gradient is
        // computed: the backward pass reads the weights too, and would otherwise see some of them
        // already updated (a race that makes runs unrepeatable and gradients wrong).
        List<Op> allGradients = new ArrayList<>(gradients);
        Ops afterGradients = tf.withControlDependencies(allGradients);
        List<Op> updates = new ArrayList<>();
        List<Op> slotInits = new ArrayList<>();
        Operand<T> decay = constant(optimizer.weightDecay());
        Operand<T> momentum = constant(optimizer.momentum());
        Operand<T> rate = learningRate;
        if (compute.lossScaling()) {
            // A skipped step is an update with rate 0, momentum 1 and gradient 0: every weight and
            // accumulator keeps its value exactly (Select, unlike a product, never lets a NaN through).
            rate = tf.select(stepApplied, learningRate, constant(0.0));
            momentum = tf.select(stepApplied, momentum, constant(1.0));
        }
        for (int i = 0; i < parameters.size(); i++) {
            Variable<T> variable = parameters.get(i).variable();
            Operand<T> gradient = gradients.get(i);
            if (optimizer.weightDecay() > 0) {
                gradient = tf.math.add(gradient, tf.math.mul(decay, variable));
            }
            if (compute.lossScaling()) {
                gradient = tf.select(stepApplied, gradient, tf.zerosLike(gradient));
            }
            if (optimizer.momentum() > 0) {
                Variable<T> accumulator = tf.variable(Shape.of(parameters.get(i).parameter().dims()), type);
                slotInits.add(tf.assign(accumulator, tf.zeros(tf.constant(Shape.of(parameters.get(i).parameter().dims())), type)));
                updates.add(afterGradients.train.applyMomentum(variable, accumulator, rate, gradient, momentum,
                        org.tensorflow.op.train.ApplyMomentum.useNesterov(optimizer.nesterov())));
            } else {
                updates.add(afterGradients.train.applyGradientDescent(variable, rate, gradient));
            }
        }
        if (compute.lossScaling()) {
            Variable<T> goodSteps = tf.withName("loss_scale_good_steps").variable(Shape.scalar(), type);
            Operand<T> good = tf.select(stepApplied, tf.math.add(goodSteps, constant(1.0)), constant(0.0));
            Operand<TBool> grow = tf.math.greaterEqual(good, constant(LOSS_SCALE_GROWTH_STEPS));
            lossScaleAfterStep = tf.withName("loss_scale_after_step").select(stepApplied,
                    tf.select(grow, tf.math.mul(lossScale, constant(2.0)), lossScale), tf.math.mul(lossScale, constant(0.5)));
            updates.add(afterGradients.assign(lossScale, lossScaleAfterStep));
            updates.add(afterGradients.assign(goodSteps, tf.select(grow, constant(0.0), good)));
            slotInits.add(tf.assign(lossScale, constant(LOSS_SCALE_INITIAL)));
            slotInits.add(tf.assign(goodSteps, constant(0.0)));
        } else {
            lossScaleAfterStep = null;
        }
        // BN's running statistics move with every training step, from the batch statistics of its forward pass.
        updates.addAll(statisticUpdates);
        slotInits.addAll(statisticInits);
        trainStep = tf.withControlDependencies(updates).withName("train_step").noOp();
        initOptimizer = tf.withControlDependencies(slotInits).withName("init_optimizer").noOp();
    }

    /**
     * Builds the graph of {@code plan} into {@code graph}.
     *
     * @param gpu place the computation on {@code /device:GPU:0} (soft placement falls back per op)
     */
    public static <T extends TFloating> NinGraph<T> build(Graph graph, NetworkPlan plan, Precision precision,
            OptimizerSpec optimizer, boolean gpu) {
        return new NinGraph<>(graph, plan, precision, ComputePrecision.FP32, optimizer, gpu, TrainingTransforms.NONE);
    }

    /** As above, with augmentation and label smoothing on the training path. */
    public static <T extends TFloating> NinGraph<T> build(Graph graph, NetworkPlan plan, Precision precision,
            OptimizerSpec optimizer, boolean gpu, TrainingTransforms transforms) {
        return new NinGraph<>(graph, plan, precision, ComputePrecision.FP32, optimizer, gpu, transforms);
    }

    /**
     * As above, computing in {@code compute} (mixed precision needs float32 variables: {@code precision}
     * {@link Precision#FLOAT32}).
     */
    public static <T extends TFloating> NinGraph<T> build(Graph graph, NetworkPlan plan, Precision precision,
            ComputePrecision compute, OptimizerSpec optimizer, boolean gpu, TrainingTransforms transforms) {
        return new NinGraph<>(graph, plan, precision, compute, optimizer, gpu, transforms);
    }

    /**
     * uint8 [N, 28, 28] → T [N, R, R, 1] in [0, 1], resized bilinearly as the book's Resize; with
     * {@code augment}, each image first gets a random crop of its zero-padded self and a random
     * left-right flip (stateless, from the dropout seed feed).
     */
    private Operand<T> preprocess(Operand<TUint8> raw, boolean augment) {
        Ops scope = tf.withSubScope(augment ? "augment" : "preprocess");
        Operand<TFloat32> pixels = scope.expandDims(
                scope.dtypes.cast(raw, TFloat32.class), scope.constant(3));
        if (augment) {
            pixels = augment(scope, pixels);
        }
        int side = plan.resize();
        if (side != 28) {
            pixels = tf.image.resizeBilinear(pixels, tf.constant(new int[] {side, side}),
                    ResizeBilinear.halfPixelCenters(true));
        }
        Operand<TFloat32> scaled = scope.math.mul(pixels, scope.constant(PIXEL_SCALE));
        return scope.withName("input").dtypes.cast(scaled, type);
    }

    /** float [N, 28, 28, 1] → the same shape, randomly cropped from a zero-padded copy and randomly mirrored. */
    private Operand<TFloat32> augment(Ops scope, Operand<TFloat32> x) {
        Operand<TInt32> n = scope.slice(scope.shape(x), scope.constant(new int[] {0}), scope.constant(new int[] {1}));
        int pad = transforms.cropPadding();
        if (pad > 0) {
            int padded = 28 + 2 * pad;
            Operand<TFloat32> big = scope.pad(x,
                    scope.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), scope.constant(0f));
            // Per image, a top-left corner in [0, 2·pad]; the box spans 28 pixels, so crop_and_resize
            // samples exact pixels (no interpolation) into a 28x28 crop.
            Operand<TInt64> seed = scope.math.add(dropoutSeed, scope.constant(new long[] {0L, 7_000_003L}));
            Operand<TFloat32> corner = scope.dtypes.cast(scope.random.statelessRandomUniformInt(
                    scope.concat(List.of(n, scope.constant(new int[] {2})), scope.constant(0)), seed,
                    scope.constant(0), scope.constant(2 * pad + 1)), TFloat32.class);
            Operand<TFloat32> start = scope.math.div(corner, scope.constant((float) (padded - 1)));
            Operand<TFloat32> end = scope.math.div(scope.math.add(corner, scope.constant(27f)),
                    scope.constant((float) (padded - 1)));
            Operand<TFloat32> boxes = scope.concat(List.of(start, end), scope.constant(1));
            Operand<TInt32> index = scope.range(scope.constant(0), scope.squeeze(n), scope.constant(1));
            x = scope.image.cropAndResize(big, boxes, index, scope.constant(new int[] {28, 28}));
        }
        if (transforms.flip()) {
            Operand<TInt64> seed = scope.math.add(dropoutSeed, scope.constant(new long[] {0L, 9_000_011L}));
            Operand<TFloat32> coin = scope.random.statelessRandomUniform(n, seed,
                    TFloat32.class);
            Operand<TBool> mirror = scope.reshape(scope.math.less(coin, scope.constant(0.5f)),
                    scope.constant(new int[] {-1, 1, 1, 1}));
            x = scope.select(mirror, scope.reverse(x, scope.constant(new int[] {2})), x);
        }
        return x;
    }

    /**
     * The logits, T [N, classes], of T [N, R, R, 1] images, computing every layer up to the global
     * average pool in {@code computeType} (C); with C = T the graph has no casts at all.
     */
    private <C extends TFloating> Operand<T> forward(Operand<T> input, boolean training, Class<C> computeType) {
        Operand<C> x = as(tf, input, computeType);
        int parameterIndex = 0;
        dropoutIndex = 0;
        for (PlannedLayer layer : plan.layers()) {
            Ops scope = tf.withSubScope(training ? "train" : "eval").withSubScope(layer.name().replace(".", "_"));
            if (layer instanceof PlannedLayer.Conv conv) {
                Operand<C> weights = as(scope, parameters.get(parameterIndex++).variable(), computeType);
                Operand<C> padded = explicitPadding(scope, x, conv);
                List<Long> strides = List.of(1L, (long) conv.stride(), (long) conv.stride(), 1L);
                if (conv.batchNorm()) {
                    Variable<T> scale = parameters.get(parameterIndex++).variable();
                    Variable<T> shift = parameters.get(parameterIndex++).variable();
                    Operand<C> y = conv.kernel() == 1 && conv.stride() == 1 && conv.padding() == 0
                            ? pointwise(scope, x, weights, conv)
                            : scope.nn.conv2d(padded, weights, strides, paddingMode(conv));
                    // Batch statistics in T: a bf16 mean over N·H·W values would round them away.
                    x = as(scope, scope.nn.relu(batchNorm(scope, as(scope, y, type), scale, shift, conv, training)), computeType);
                } else {
                    Operand<C> bias = as(scope, parameters.get(parameterIndex++).variable(), computeType);
                    x = FusedConvolution.admits(computeType)
                            ? FusedConvolution.convBiasRelu(scope, padded, weights, bias, conv.stride(), paddingMode(conv))
                            // Add, not BiasAdd: TensorFlow's CPU BiasAddGrad sums bfloat16 in bfloat16 (the sum
                            // of 576 ones comes out 256), Add's gradient (a Sum) accumulates in float32.
                            : scope.nn.relu(scope.math.add(scope.nn.conv2d(padded, weights, strides, paddingMode(conv)), bias));
                }
            } else if (layer instanceof PlannedLayer.Pool pool) {
                x = maxPool(scope, x, pool);
            } else if (layer instanceof PlannedLayer.Drop drop) {
                if (training && drop.rate() > 0) {
                    x = dropout(scope, x, drop.rate(), computeType);
                }
            } else {
                if (layer != plan.layers().get(plan.layers().size() - 1)) {
                    throw new IllegalStateException("the global average pool must be the network's last layer, found "
                            + layer.name() + " before the end");
                }
                // The global average pool in T: the logits leave the network, and the loss and
                // softmax need float32's range and precision.
                return scope.math.mean(as(scope, x, type), scope.constant(new int[] {1, 2}));
            }
        }
        throw new IllegalStateException("a network plan ends with its global average pool");
    }

    /**
     * A 1x1 convolution with stride 1 as the matrix product it is: [N·H·W, Cin] · [Cin, Cout]. Its
     * gradients are two more products; oneDNN's GEMM computes the weight gradient xᵀ · dz faster
     * than its convolution kernel does (the unnormalised path gets the same from
     * {@link FusedConvolution}'s gradient).
     *
     * @param x [N, H, W, Cin]
     * @param weights [1, 1, Cin, Cout]
     * @return [N, H, W, Cout]
     */
    private static <C extends TFloating> Operand<C> pointwise(Ops scope, Operand<C> x, Operand<C> weights, PlannedLayer.Conv conv) {
        int in = conv.input().channels();
        int out = conv.output().channels();
        Operand<C> rows = scope.reshape(x, scope.constant(new int[] {-1, in}));
        Operand<C> product = scope.linalg.matMul(rows, scope.reshape(weights, scope.constant(new int[] {in, out})));
        return scope.reshape(product, scope.constant(new int[] {-1, conv.output().height(), conv.output().width(), out}));
    }

    /** {@code x} as {@code target}: itself when it is already, else a cast (whose gradient casts back). */
    @SuppressWarnings("unchecked")
    private static <C extends TFloating> Operand<C> as(Ops scope, Operand<? extends TFloating> x, Class<C> target) {
        return x.type().equals(target) ? (Operand<C>) x : scope.dtypes.cast(x, target);
    }

    /** Symmetric padding that keeps the size is TensorFlow's SAME, its fastest path; all else is VALID. */
    private static boolean same(PlannedLayer.Conv conv) {
        return conv.padding() > 0 && conv.stride() == 1 && 2 * conv.padding() == conv.kernel() - 1;
    }

    private static String paddingMode(PlannedLayer.Conv conv) {
        return same(conv) ? "SAME" : "VALID";
    }

    /**
     * The convolution's input, zero-padded here when TensorFlow's SAME does not express its padding.
     * (Conv2D's EXPLICIT padding loses its paddings in TensorFlow's C++ gradient, so the backward
     * pass would fail.)
     */
    private <C extends TFloating> Operand<C> explicitPadding(Ops scope, Operand<C> x, PlannedLayer.Conv conv) {
        int p = conv.padding();
        if (p == 0 || same(conv)) {
            return x;
        }
        return scope.pad(x, scope.constant(new int[][] {{0, 0}, {p, p}, {p, p}, {0, 0}}), constant(0.0, x.type()));
    }

    /**
     * Max pooling with TensorFlow's {@code MaxPool} op, window and stride as attributes. oneDNN
     * replaces that op and its gradient with its own kernels; {@code MaxPoolV2}, which
     * {@code tf.nn.maxPool} builds, stays on Eigen's, whose gradient took four times as long at 224.
     */
    private static <C extends TFloating> Operand<C> maxPool(Ops scope, Operand<C> x, PlannedLayer.Pool pool) {
        org.tensorflow.Operation op = scope.scope().opBuilder("MaxPool", "MaxPool")
                .addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, pool.window(), pool.window(), 1})
                .setAttr("strides", new long[] {1, pool.stride(), pool.stride(), 1})
                .setAttr("padding", "VALID")
                .build();
        @SuppressWarnings("unchecked")
        Operand<C> pooled = (Operand<C>) (Operand<?>) op.output(0);
        return pooled;
    }

    /** Inverted dropout with a stateless mask: the same seed feed gives the same mask. */
    private <C extends TFloating> Operand<C> dropout(Ops scope, Operand<C> x, double rate, Class<C> computeType) {
        Operand<TInt64> seed = scope.math.add(dropoutSeed, scope.constant(new long[] {0L, 1_000_003L * dropoutIndex++}));
        // The mask is drawn in T whatever the compute type, so it is the same mask in every precision.
        Operand<T> uniform = scope.random.statelessRandomUniform(scope.shape(x), seed, type);
        Operand<TBool> keep = scope.math.greaterEqual(uniform, constant(rate));
        Operand<C> mask = scope.dtypes.cast(keep, computeType);
        return scope.math.mul(scope.math.mul(x, mask), constant(1.0 / (1.0 - rate), computeType));
    }

    /**
     * Batch normalisation of a convolution's output [N, H, W, C] per channel. Training: the batch's
     * mean and (biased) variance over N, H, W, and the running statistics move toward them
     * (unbiased variance) by {@link #BN_MOMENTUM} each step. Evaluation: the running statistics.
     * Composed of plain ops, so TensorFlow's C++ registry has every gradient.
     */
    private Operand<T> batchNorm(Ops scope, Operand<T> y, Variable<T> scale, Variable<T> shift, PlannedLayer.Conv conv,
            boolean training) {
        Shape channels = Shape.of(conv.output().channels());
        List<Variable<T>> stats = running.computeIfAbsent(conv.name(), name -> {
            Ops s = tf.withSubScope(name.replace(".", "_") + "_bn");
            Variable<T> mean = s.withName("running_mean").variable(channels, type);
            Variable<T> variance = s.withName("running_variance").variable(channels, type);
            statisticInits.add(s.assign(mean, s.zeros(s.constant(channels), type)));
            statisticInits.add(s.assign(variance, s.fill(s.constant(channels), constant(1.0))));
            batchNormStatistics.add(mean);
            batchNormStatistics.add(variance);
            return List.of(mean, variance);
        });
        if (type == TFloat32.class) {
            return fusedBatchNorm(scope, y, scale, shift, stats, training);
        }
        Operand<T> mean;
        Operand<T> variance;
        if (training) {
            Operand<TInt32> axes = scope.constant(new int[] {0, 1, 2});
            mean = scope.math.mean(y, axes);
            variance = scope.math.mean(scope.math.square(scope.math.sub(y, mean)), axes);
            Operand<T> count = scope.dtypes.cast(scope.math.div(scope.size(y, TInt32.class), scope.constant(conv.output().channels())), type);
            Operand<T> unbiased = scope.math.mul(variance, scope.math.div(count, scope.math.maximum(scope.math.sub(count, constant(1.0)), constant(1.0))));
            Operand<T> keep = constant(1.0 - BN_MOMENTUM);
            Operand<T> take = constant(BN_MOMENTUM);
            statisticUpdates.add(scope.assign(stats.get(0), scope.math.add(scope.math.mul(stats.get(0), keep),
                    scope.math.mul(scope.stopGradient(mean), take))));
            statisticUpdates.add(scope.assign(stats.get(1), scope.math.add(scope.math.mul(stats.get(1), keep),
                    scope.math.mul(scope.stopGradient(unbiased), take))));
        } else {
            mean = stats.get(0);
            variance = stats.get(1);
        }
        Operand<T> normalised = scope.math.mul(scope.math.sub(y, mean), scope.math.rsqrt(scope.math.add(variance, constant(BN_EPSILON))));
        return scope.math.add(scope.math.mul(normalised, scale), shift);
    }

    /**
     * {@link #batchNorm} as TensorFlow's one op, {@code FusedBatchNormV3}, for float32: one kernel
     * computes the statistics and normalises (oneDNN's on CPU, cuDNN's on GPU), and its gradient is
     * one {@code FusedBatchNormGradV3} from TensorFlow's own registry, where the plain ops make
     * several memory-bound passes over every activation, forward and backward. In training the op
     * returns the batch mean and the Bessel-corrected (unbiased) batch variance, which the running
     * statistics move toward as in the plain-op path; the normalisation itself uses the biased one.
     * float64 has no fused kernel and keeps the plain ops (the finite-difference gradient tests run
     * there; a float32 test holds the two paths together).
     *
     * @param y [N, H, W, C] float32
     * @return [N, H, W, C] float32
     */
    @SuppressWarnings("unchecked")
    private Operand<T> fusedBatchNorm(Ops scope, Operand<T> y, Variable<T> scale, Variable<T> shift,
            List<Variable<T>> stats, boolean training) {
        FusedBatchNorm.Options epsilon = FusedBatchNorm.epsilon((float) BN_EPSILON);
        FusedBatchNorm.Options nhwc = FusedBatchNorm.dataFormat("NHWC");
        if (!training) {
            return scope.nn.fusedBatchNorm(y, scale, shift, stats.get(0), stats.get(1), epsilon, nhwc,
                    FusedBatchNorm.isTraining(false)).y();
        }
        // In training the op ignores mean and variance inputs when they are empty.
        Operand<T> none = (Operand<T>) (Operand<?>) scope.constant(new float[0]);
        FusedBatchNorm<T, T> bn = scope.nn.fusedBatchNorm(y, scale, shift, none, none, epsilon, nhwc,
                FusedBatchNorm.isTraining(true), FusedBatchNorm.exponentialAvgFactor(1f));
        Operand<T> keep = constant(1.0 - BN_MOMENTUM);
        Operand<T> take = constant(BN_MOMENTUM);
        statisticUpdates.add(scope.assign(stats.get(0), scope.math.add(scope.math.mul(stats.get(0), keep),
                scope.math.mul(scope.stopGradient(bn.batchMean()), take))));
        statisticUpdates.add(scope.assign(stats.get(1), scope.math.add(scope.math.mul(stats.get(1), keep),
                scope.math.mul(scope.stopGradient(bn.batchVariance()), take))));
        return bn.y();
    }

    /**
     * Mean softmax cross-entropy, -Σ onehot·log_softmax(logits), composed of ops whose gradients
     * TensorFlow's C++ registry has for float32 and float64 alike (the fused sparse op has none, and
     * the dense op's gradient hard-codes float32).
     */
    private Operand<T> crossEntropy(Operand<T> logits, double smoothing) {
        int classes = plan.spec().classes();
        // Label smoothing: (1-ε)·one-hot + ε/C.
        Operand<T> oneHot = tf.oneHot(labels, tf.constant(classes), constant(1.0 - smoothing + smoothing / classes),
                constant(smoothing / classes));
        Operand<T> perImage = tf.math.neg(tf.sum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(1)));
        return tf.math.mean(perImage, tf.constant(0));
    }

    private Operand<T> correct(Operand<T> logits) {
        Operand<TInt32> predicted = tf.math.argMax(logits, tf.constant(1), TInt32.class);
        return tf.sum(tf.dtypes.cast(tf.math.equal(predicted, labels), type), tf.constant(0));
    }

    private Operand<T> constant(double value) {
        return tf.dtypes.cast(tf.constant(value), type);
    }

    private <C extends TFloating> Operand<C> constant(double value, Class<C> as) {
        return tf.dtypes.cast(tf.constant(value), as);
    }
}
