package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.DataOptions;
import dev.nin.data.DatasetLocator;
import dev.nin.data.FashionMnist;
import dev.nin.engine.RuntimeInfo;
import dev.nin.engine.TestRuntime;
import dev.nin.model.ComputePrecision;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bf16 training on real Fashion-MNIST (Debian's package) through the Trainer: it learns, it is
 * reported as bf16, divergence is still divergence, and its SavedModel keeps the float32 signature.
 * On a CPU without bf16 arithmetic TensorFlow emulates it, so these use small sets.
 */
class MixedPrecisionTrainingTest {

    private static FashionMnist data;
    private static RuntimeInfo runtime;

    @BeforeAll
    static void setUp() {
        runtime = TestRuntime.cpu();
        data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
    }

    private static TrainConfig bf16(double lr, int epochs, int batch, double momentum) {
        return bf16(lr, epochs, batch, momentum, 67);
    }

    private static TrainConfig bf16(double lr, int epochs, int batch, double momentum, int resize) {
        return new TrainConfig(lr, epochs, batch, resize, 7, new OptimizerSpec(momentum, false, 0), OptionalDouble.empty(), 0,
                TrainingOptions.BOOK.withPrecision(PrecisionChoice.Request.BF16));
    }

    /**
     * A small NiN at 28 px with He weights leaves the ln 10 plateau within the first epoch. (no-1x1 at 67 px, as
     * TrainerTest's float32 run, took 600 s here on a CPU that emulates bf16: 10x its float32 time.)
     */
    @Test
    void lossFallsInBf16AndTheRunSaysSo() {
        DataOptions.Splits splits = new DataOptions(4_000, 0, 1_000).apply(data, DataOptions.SPLIT_SEED);
        List<Double> losses = new ArrayList<>();
        List<TrainingEvent> events = new ArrayList<>();
        TrainingResult result = new Trainer(runtime).train(TrainRequest.builder()
                .setModel(MixedPrecisionTest.TINY).setConfig(bf16(0.1, 3, 64, 0.9, 28).withOptions(TrainingOptions.BOOK
                        .withPrecision(PrecisionChoice.Request.BF16).withInitializer(dev.nin.model.Initializer.HE))).setData(splits)
                .optListener(event -> {
                    events.add(event);
                    if (event instanceof TrainingEvent.BatchEnded b) {
                        losses.add(b.loss());
                    }
                }).build());

        assertEquals(TrainingResult.Status.COMPLETED, result.status());
        TrainingEvent.Started started = (TrainingEvent.Started) events.get(0);
        assertEquals(ComputePrecision.BF16, started.precision().precision());
        assertEquals(runtime.bf16Arithmetic(), started.precision().notice().isEmpty(),
                "a line says bf16 is emulated exactly where it is: " + started.precision().notice());
        double first = mean(losses.subList(0, 10));
        double last = mean(losses.subList(losses.size() - 10, losses.size()));
        assertTrue(last < first - 0.5, "loss should fall clearly in bf16: first 10 steps " + first + ", last 10 " + last);
        // Well above chance, not a tuned figure: this tiny 3-epoch run spreads widely over seeds. On a CPU with native
        // bf16 (AMD family 26, avx512_bf16; 2026-12-02) seeds 1-3 gave 0.42-0.61 in fp32 and 0.55-0.64 in bf16, and
        // this seed 0.48 in bf16; 0.5, set from one emulated run, failed there though bf16 matched fp32.
        assertTrue(result.last().testAccuracy() > 0.3, "test accuracy " + result.last().testAccuracy() + " vs chance 0.1");
    }

    @Test
    void aHugeLearningRateDivergesInBf16Too() {
        DataOptions.Splits splits = new DataOptions(640, 0, 64).apply(data, DataOptions.SPLIT_SEED);
        TrainingResult result = new Trainer(runtime).train(TrainRequest.builder()
                .setModel(Variants.standard()).setConfig(bf16(1e6, 1, 32, 0)).setData(splits).build());
        assertEquals(TrainingResult.Status.DIVERGED, result.status());
        assertTrue(result.stoppedAt().startsWith("epoch 1 step "), result.stoppedAt());
    }

    /**
     * A bf16-trained model exports uint8 images in, float32 logits and probabilities out, and DJL's
     * predictions are the session's: the same logits as TensorFlow's own loader, and the same test
     * accuracy the training session measured.
     */
    @Test
    void theBf16SavedModelKeepsItsSignatureAndPredictsAsTheSession(@TempDir Path dir) throws Exception {
        DataOptions.Splits splits = new DataOptions(256, 0, 64).apply(data, DataOptions.SPLIT_SEED);
        Path folder = dir.resolve("model");
        TrainingResult result = new Trainer(runtime).train(TrainRequest.builder()
                .setModel(Variants.no1x1()).setConfig(bf16(0.05, 1, 32, 0.9)).setData(splits)
                .optSavedModel(folder, new ModelCard.Origin(3, "no-1x1 bf16", "{}", "cd34")).build());
        assertTrue(Files.exists(folder.resolve("saved_model.pb")));
        assertEquals("bf16", ModelCard.read(folder).orElseThrow().precision(), "the card says what it computed in");

        try (org.tensorflow.SavedModelBundle bundle = org.tensorflow.SavedModelBundle.load(folder.toString(), "serve")) {
            org.tensorflow.Signature signature = bundle.function(SavedModels.SIGNATURE).signature();
            assertEquals(org.tensorflow.proto.DataType.DT_UINT8, signature.getInputs().get("images").dataType);
            assertEquals(org.tensorflow.proto.DataType.DT_FLOAT, signature.getOutputs().get("logits").dataType);
            assertEquals(org.tensorflow.proto.DataType.DT_FLOAT, signature.getOutputs().get("probabilities").dataType);
        }
        float[] expected = TrainerTest.referenceLogits(splits.test(), folder);

        float[] actual = TrainerTest.djlLogits(splits.test(), folder);
        int correct = 0;
        for (int i = 0; i < splits.test().size(); i++) {
            int best = 0;
            for (int c = 0; c < 10; c++) {
                assertEquals(expected[i * 10 + c], actual[i * 10 + c], 1e-5f, "logit " + i + "," + c);
                best = actual[i * 10 + c] > actual[i * 10 + best] ? c : best;
            }
            correct += best == splits.test().label(i) ? 1 : 0;
        }
        assertEquals(result.last().testAccuracy(), correct / (double) splits.test().size(), 1e-12,
                "DJL's predictions give the accuracy the training session measured");
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
