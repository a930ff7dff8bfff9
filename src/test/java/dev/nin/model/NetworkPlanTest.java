package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The analytic figures of DESIGN.md section 2, which any correct NiN must reproduce. */
class NetworkPlanTest {

    private static final NetworkPlan STANDARD_224 = NetworkPlan.of(Variants.standard(), 224);

    @Test
    void standardHasTheBookParameterCount() {
        assertEquals(1_992_166L, STANDARD_224.params());
    }

    @Test
    void parameterCountAgreesWithTheBlockFormula() {
        // Each block: k*k*in*out + out for the first conv, then (out*out + out) per 1x1 conv.
        long block1 = (11 * 11 * 1 * 96 + 96) + 2 * (96 * 96 + 96);
        long block2 = (5 * 5 * 96 * 256 + 256) + 2 * (256 * 256 + 256);
        long block3 = (3 * 3 * 256 * 384 + 384) + 2 * (384 * 384 + 384);
        long block4 = (3 * 3 * 384 * 10 + 10) + 2 * (10 * 10 + 10);
        assertEquals(block1 + block2 + block3 + block4, STANDARD_224.params());
    }

    @Test
    void singleOneByOneVariantHasTheDesignCount() {
        assertEquals(1_769_112L, NetworkPlan.of(Variants.single1x1(), 224).params());
    }

    @Test
    void outputShapesAt224MatchTheBook() {
        assertEquals(new Shape3(96, 54, 54), STANDARD_224.layer("block1.conv2").output());
        assertEquals(new Shape3(96, 26, 26), STANDARD_224.layer("pool1").output());
        assertEquals(new Shape3(256, 26, 26), STANDARD_224.layer("block2.conv2").output());
        assertEquals(new Shape3(256, 12, 12), STANDARD_224.layer("pool2").output());
        assertEquals(new Shape3(384, 12, 12), STANDARD_224.layer("block3.conv2").output());
        assertEquals(new Shape3(384, 5, 5), STANDARD_224.layer("pool3").output());
        assertEquals(new Shape3(384, 5, 5), STANDARD_224.layer("dropout").output());
        assertEquals(new Shape3(10, 5, 5), STANDARD_224.layer("block4.conv2").output());
        assertEquals(new Shape3(10, 1, 1), STANDARD_224.layer("gap").output());
    }

    @Test
    void multiplyAddsAt224And96() {
        assertEquals("762.3", String.format(java.util.Locale.ROOT, "%.1f", STANDARD_224.multiplyAdds() / 1e6));
        assertEquals("1.525", String.format(java.util.Locale.ROOT, "%.3f", new CostReport(STANDARD_224).forwardFlops() / 1e9));
        assertEquals("108.0",
                String.format(java.util.Locale.ROOT, "%.1f", NetworkPlan.of(Variants.standard(), 96).multiplyAdds() / 1e6));
    }

    @Test
    void firstConvolutionMultiplyAddsByHand() {
        // 54*54 output positions, each an 11x11x1 window, for 96 filters.
        assertEquals(54L * 54 * 11 * 11 * 96, STANDARD_224.layer("block1.conv0").multiplyAdds());
    }

    @Test
    void smallestInputIs67() {
        assertEquals(67, NetworkPlan.smallestResize(Variants.standard()));
        NetworkPlan.of(Variants.standard(), 67);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> NetworkPlan.of(Variants.standard(), 66));
        assertTrue(error.getMessage().contains("expected at least 67"), error.getMessage());
        assertTrue(error.getMessage().contains("found 66"), error.getMessage());
    }

    @Test
    void unknownVariantNamesTheKnownOnes() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Variants.named("resnet"));
        assertTrue(error.getMessage().contains("standard, single-1x1"), error.getMessage());
        assertTrue(error.getMessage().contains("'resnet'"), error.getMessage());
    }

    @Test
    void specRejectsAHeadThatDoesNotProduceOneChannelPerClass() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new ModelSpec("bad", 1, 10, java.util.List.of(new NinBlock(12, 3, 1, 1, 1), new GlobalAvgPool())));
        assertTrue(error.getMessage().contains("output 10 channels"), error.getMessage());
    }

    @Test
    void trainingMemoryCountsWeightsGradientsOptimizerAndActivations() {
        CostReport costs = new CostReport(STANDARD_224);
        CostReport.MemoryEstimate sgd = costs.training(128, 0);
        CostReport.MemoryEstimate momentum = costs.training(128, 1);
        assertEquals(1_992_166L * 4, sgd.weights());
        assertEquals(sgd.weights(), sgd.gradients());
        assertEquals(0, sgd.optimizerState());
        assertEquals(sgd.weights(), momentum.optimizerState());
        // Per image at 224: conv outputs 3*96*54*54 + 3*256*26*26 + 3*384*12*12 + 3*10*5*5 = 1,525,614;
        // pools, dropout and GAP 96*26*26 + 256*12*12 + 384*5*5 + 384*5*5 + 10 = 120,970; input 224*224 = 50,176.
        // Kept: input + every output. Conv, bias and ReLU are one fused op whose gradient reads the
        // output, so no pre-activation is kept.
        assertEquals(0, costs.keptIntermediateElements());
        assertEquals((50_176L + 1_525_614 + 120_970) * 128 * 4, sgd.activations());
        // Widest backward step: block1.conv1's input and output, 2 * 96*54*54.
        assertEquals(2L * 279_936 * 128 * 4, sgd.backwardWorkspace());
        assertEquals(sgd.weights() + 2L * 279_936 * 128 * 4, costs.prediction(128).total());
        assertTrue(costs.prediction(128).total() < sgd.total());
        assertTrue(costs.prediction(1).total() < costs.prediction(128).total());
    }

    /**
     * nin-bn: every one of the 12 convolutions trades its bias (C values) for BN's scale and shift
     * (2C). Biases of the book's network: 3·96 + 3·256 + 3·384 + 3·10 = 2,238, so
     * 1,992,166 − 2,238 + 2·2,238 = 1,994,404 trainable values; shapes are the book's.
     */
    @Test
    void ninBnCountsScaleAndShiftInsteadOfBiases() {
        NetworkPlan bn = NetworkPlan.of(Variants.ninBn(), 224);
        assertEquals(1_994_404L, bn.params());
        NetworkPlan book = NetworkPlan.of(Variants.standard(), 224);
        for (int i = 0; i < book.layers().size(); i++) {
            assertEquals(book.layers().get(i).output(), bn.layers().get(i).output());
        }
        PlannedLayer.Conv first = bn.convolutions().get(0);
        assertEquals(11L * 11 * 1 * 96 + 2 * 96, first.params());
        assertEquals("conv 11x11/4 p0 + bn + relu", first.description());
        assertEquals(List.of("block1.conv0/weights", "block1.conv0/bn_scale", "block1.conv0/bn_shift"),
                Parameter.of(bn).subList(0, 3).stream().map(Parameter::name).toList());
        // The fused batch norm keeps two tensors the size of each conv output (1,525,614 values per
        // image at 224) for the backward pass: the convolution's output and the ReLU's input.
        assertEquals(2 * 1_525_614L, new CostReport(bn).keptIntermediateElements());
    }
}
