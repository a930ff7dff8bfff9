package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.DataOptions;
import dev.nin.data.DatasetLocator;
import dev.nin.data.FashionMnist;
import dev.nin.engine.RuntimeInfo;
import dev.nin.engine.TestRuntime;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Training on real Fashion-MNIST (Debian's package) learns, and is repeatable for a seed. */
class TrainerTest {

    private static FashionMnist data;
    private static RuntimeInfo runtime;

    @BeforeAll
    static void setUp() {
        runtime = TestRuntime.cpu();
        data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
    }

    /**
     * Uses {@code no-1x1}: the book's 12-conv network sits on the ln 10 loss plateau for hundreds of
     * steps at this size (measured: still 2.3026 after 250 steps of lr 0.05, momentum 0.9), so it
     * cannot show learning within a test's budget; the 4-conv variant leaves it within the first epoch.
     */
    @Test
    void lossFallsAndHeldOutAccuracyBeatsChance() {
        TrainConfig config = new TrainConfig(LEARNING_RATE, 2, 64, 67, 7, new OptimizerSpec(MOMENTUM, false, 0),
                OptionalDouble.empty(), 0);
        DataOptions.Splits splits = new DataOptions(8_000, 1_000, 1_000).apply(data, DataOptions.SPLIT_SEED);
        List<Double> losses = new ArrayList<>();
        List<TrainingEvent> events = new ArrayList<>();
        TrainingResult result = new Trainer(runtime).train(Variants.no1x1(), config, splits, event -> {
            events.add(event);
            if (event instanceof TrainingEvent.BatchEnded b) {
                losses.add(b.loss());
            }
        });

        assertEquals(TrainingResult.Status.COMPLETED, result.status());
        assertEquals(2 * 125, losses.size(), "8,000 images in batches of 64, two epochs");
        double first = mean(losses.subList(0, 20));
        double last = mean(losses.subList(losses.size() - 20, losses.size()));
        assertTrue(last < first - 0.5, "loss should fall clearly: first 20 steps " + first + ", last 20 " + last);
        EpochMetrics end = result.last();
        assertTrue(end.validationAccuracy() > 0.5, "validation accuracy " + end.validationAccuracy() + " vs chance 0.1");
        assertTrue(end.testAccuracy() > 0.5, "test accuracy " + end.testAccuracy() + " vs chance 0.1");
        assertTrue(events.get(0) instanceof TrainingEvent.Started);
        assertTrue(events.get(events.size() - 1) instanceof TrainingEvent.Finished);
    }

    @Test
    void sameSeedOnOneThreadGivesIdenticalNumbersAndWeights() {
        TrainConfig config = new TrainConfig(0.05, 1, 32, 67, 3, OptimizerSpec.BOOK_SGD, OptionalDouble.empty(), 1);
        DataOptions.Splits splits = new DataOptions(320, 64, 64).apply(data, DataOptions.SPLIT_SEED);
        TrainingResult a = new Trainer(runtime).train(Variants.standard(), config, splits, TrainingListener.NONE);
        TrainingResult b = new Trainer(runtime).train(Variants.standard(), config, splits, TrainingListener.NONE);
        assertEquals(a.weightsSha256(), b.weightsSha256());
        assertEquals(a.last().trainLoss(), b.last().trainLoss());
        assertEquals(a.last().testAccuracy(), b.last().testAccuracy());

        TrainConfig otherSeed = new TrainConfig(0.05, 1, 32, 67, 4, OptimizerSpec.BOOK_SGD, OptionalDouble.empty(), 1);
        TrainingResult c = new Trainer(runtime).train(Variants.standard(), otherSeed, splits, TrainingListener.NONE);
        assertTrue(!a.weightsSha256().equals(c.weightsSha256()), "another seed must give other weights");
    }

    @Test
    void aRunResumedFromItsCheckpointIsTheRunThatWasInterrupted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        TrainConfig config = new TrainConfig(0.05, 2, 32, 67, 5, new OptimizerSpec(0.9, false, 1e-4), OptionalDouble.empty(), 1);
        DataOptions.Splits splits = new DataOptions(192, 32, 32).apply(data, DataOptions.SPLIT_SEED);
        TrainingResult straight = new Trainer(runtime).train(Variants.no1x1(), config, splits, TrainingListener.NONE,
                new Checkpoints(dir.resolve("a")), 0);

        TrainConfig firstEpochOnly = new TrainConfig(0.05, 1, 32, 67, 5, new OptimizerSpec(0.9, false, 1e-4),
                OptionalDouble.empty(), 1);
        Checkpoints checkpoints = new Checkpoints(dir.resolve("b"));
        new Trainer(runtime).train(Variants.no1x1(), firstEpochOnly, splits, TrainingListener.NONE, checkpoints, 0);
        assertEquals(java.util.OptionalInt.of(1), checkpoints.latest());
        TrainingResult resumed = new Trainer(runtime).train(Variants.no1x1(), config, splits, TrainingListener.NONE,
                checkpoints, 1);

        assertEquals(1, resumed.epochs().size(), "only epoch 2 runs after resuming");
        assertEquals(straight.weightsSha256(), resumed.weightsSha256(), "weights and momentum were restored exactly");
        assertEquals(straight.last().trainLoss(), resumed.last().trainLoss());
    }

    @Test
    void theExportedSavedModelGivesTheSameLogitsThroughDjl(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        TrainConfig config = new TrainConfig(0.05, 1, 32, 67, 9, OptimizerSpec.BOOK_SGD, OptionalDouble.empty(), 1);
        DataOptions.Splits splits = new DataOptions(128, 0, 16).apply(data, DataOptions.SPLIT_SEED);
        java.nio.file.Path folder = dir.resolve("model");
        TrainingResult result = new Trainer(runtime).train(Variants.no1x1(), config, splits, TrainingListener.NONE, null, 0, folder);
        assertTrue(java.nio.file.Files.exists(folder.resolve("saved_model.pb")));
        assertEquals(SavedModels.describe(folder), result.savedModel().orElseThrow());

        // TensorFlow's own SavedModel loader gives the reference logits.
        float[] expected = referenceLogits(splits.test(), folder);

        ai.djl.repository.zoo.Criteria<ai.djl.ndarray.NDList, ai.djl.ndarray.NDList> criteria = ai.djl.repository.zoo.Criteria.builder()
                .setTypes(ai.djl.ndarray.NDList.class, ai.djl.ndarray.NDList.class).optModelPath(folder).optEngine("TensorFlow")
                .optTranslator(new ai.djl.translate.NoopTranslator()).build();
        try (var model = criteria.loadModel(); var predictor = model.newPredictor();
                var manager = ai.djl.ndarray.NDManager.newBaseManager("TensorFlow")) {
            var images = manager.create(java.nio.ByteBuffer.wrap(splits.test().pixels()),
                    new ai.djl.ndarray.types.Shape(splits.test().size(), 28, 28), ai.djl.ndarray.types.DataType.UINT8);
            ai.djl.ndarray.NDList out = predictor.predict(new ai.djl.ndarray.NDList(images));
            ai.djl.ndarray.NDArray logits = out.get("logits");
            assertEquals(new ai.djl.ndarray.types.Shape(16, 10), logits.getShape());
            float[] actual = logits.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5f, "logit " + i);
            }
        }
    }

    /** Logits of {@code images} from the SavedModel loaded with TensorFlow's own loader. */
    private static float[] referenceLogits(dev.nin.data.ImageSet images, java.nio.file.Path folder) {
        try (org.tensorflow.SavedModelBundle bundle = org.tensorflow.SavedModelBundle.load(folder.toString(), "serve");
                org.tensorflow.types.TUint8 input = org.tensorflow.types.TUint8.tensorOf(
                        org.tensorflow.ndarray.Shape.of(images.size(), 28, 28),
                        org.tensorflow.ndarray.buffer.DataBuffers.of(images.pixels(), true, false));
                org.tensorflow.Result result = bundle.function(SavedModels.SIGNATURE).call(java.util.Map.of("images", input))) {
            org.tensorflow.types.TFloat32 logits = (org.tensorflow.types.TFloat32) result.get("logits").orElseThrow();
            float[] out = new float[(int) logits.shape().size()];
            logits.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
            return out;
        }
    }

    @Test
    void aHugeLearningRateIsReportedAsDiverged() {
        TrainConfig config = new TrainConfig(1e6, 1, 32, 67, 3, OptimizerSpec.BOOK_SGD, OptionalDouble.empty(), 0);
        DataOptions.Splits splits = new DataOptions(640, 0, 64).apply(data, DataOptions.SPLIT_SEED);
        TrainingResult result = new Trainer(runtime).train(Variants.standard(), config, splits, TrainingListener.NONE);
        assertEquals(TrainingResult.Status.DIVERGED, result.status());
        assertTrue(result.divergedAt().startsWith("epoch 1 step "), result.divergedAt());
    }

    private static final double LEARNING_RATE = 0.05;
    private static final double MOMENTUM = 0.9;

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
