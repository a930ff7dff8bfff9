package dev.nin.sweep.tpe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The densities TPE compares, on histories small enough to work out by hand. Expected values come
 * from the closed forms written beside them (evaluated with Python's math.erf), not from this code.
 */
class ParzenEstimatorTest {

    @Test
    void normalDistributionFunctionMatchesTables() {
        assertEquals(0.5, Normal.cdf(0), 1e-7);
        assertEquals(0.9750021048517796, Normal.cdf(1.96), 1e-7);
        assertEquals(0.0013498980316301035, Normal.cdf(-3), 1e-9);
        // Relative accuracy in the far tail, where a bin's mass is computed: Φ(-8) = 6.22096e-16.
        assertEquals(6.220960574e-16, Normal.cdf(-8), 6.220960574e-16 * 1e-6);
        assertEquals(Normal.cdf(-7.5) - Normal.cdf(-8.5), Normal.mass(7.5, 8.5), 1e-22);
    }

    @Test
    void widthIsTheLargerGapToTheNeighboursAndTheOuterPointsTakeTheirInnerGap() {
        // Sorted with the ends: 0 | 2 | 5 | 9 | 10, gaps 2, 3, 4, 1.
        assertArrayEquals(new double[] {4, 3, 4}, ParzenEstimator.widths(new double[] {5, 2, 9}, 0, 10), 1e-12);
        // One point: the larger of its gaps to the ends.
        assertArrayEquals(new double[] {8}, ParzenEstimator.widths(new double[] {2}, 0, 10), 1e-12);
    }

    @Test
    void realDensityIsTheKernelAndThePriorHalfAndHalf() {
        // One point at 2 on [0, 10]: kernel N(2, 8) and prior N(5, 10), both truncated to [0, 10], weight 1/2 each.
        // p(2) = ½ φ(0)/8 / (Φ(1) - Φ(-0.25)) + ½ φ(-0.3)/10 / (Φ(0.5) - Φ(-0.5)) = 0.10646065
        ParzenEstimator p = new ParzenEstimator(List.of(new Dimension.Real(0, 10, false)), List.of(new double[] {2}));
        assertEquals(2, p.components());
        assertEquals(8, p.width(0, 0), 1e-12);
        assertEquals(10, p.width(1, 0), 1e-12);
        assertEquals(Math.log(0.10646065468540558), p.logDensity(new double[] {2}), 1e-6);
        assertEquals(Math.log(0.09766833307126652), p.logDensity(new double[] {7}), 1e-6);
    }

    @Test
    void logDensityLivesOnTheLogarithm() {
        // One point at 0.1 on [0.01, 1], log scale: kernel coordinates [ln 0.01, 0]; the point sits in
        // the middle, so its width is ln 10 = 2.302585, and the prior is centred there too with width ln 100.
        ParzenEstimator p = new ParzenEstimator(List.of(new Dimension.Real(0.01, 1, true)), List.of(new double[] {0.1}));
        assertEquals(Math.log(10), p.width(0, 0), 1e-12);
        assertEquals(Math.log(0.2400091660495588), p.logDensity(new double[] {0.1}), 1e-6);
    }

    @Test
    void integerProbabilitiesAreBinMassesThatSumToOne() {
        // One point at 3 of 1..5: kernel coordinates [0.5, 5.5], width 2.5 (both gaps), prior N(3, 5).
        // P(k) = ½ (Φ((k+½-3)/2.5) - Φ((k-½-3)/2.5)) / (Φ(1) - Φ(-1)) + ½ (same with 5) / (Φ(0.5) - Φ(-0.5)).
        double[] expected = {0.18070203255257358, 0.2092436035278449, 0.22010872783916302, 0.2092436035278449,
            0.18070203255257358};
        ParzenEstimator p = new ParzenEstimator(List.of(new Dimension.Int(1, 5)), List.of(new double[] {3}));
        double total = 0;
        for (int k = 1; k <= 5; k++) {
            double probability = Math.exp(p.logDensity(new double[] {k}));
            assertEquals(expected[k - 1], probability, 1e-6, "P(" + k + ")");
            total += probability;
        }
        assertEquals(1.0, total, 1e-6);
    }

    @Test
    void choiceProbabilitiesPutHalfAKernelOnTheObservedOption() {
        // Points at options 0, 0 and 2 of 3, plus the uniform prior: four components of weight ¼.
        // A kernel gives ½ + ⅙ to its option and ⅙ to each other one.
        // P(0) = ¼ (⅔ + ⅔ + ⅙ + ⅓) = 0.458333; P(1) = ¼ (⅙ + ⅙ + ⅙ + ⅓) = 0.208333; P(2) = ¼ (⅙ + ⅙ + ⅔ + ⅓) = 0.333333.
        ParzenEstimator p = new ParzenEstimator(List.of(new Dimension.Choice(3)),
                List.of(new double[] {0}, new double[] {0}, new double[] {2}));
        assertEquals(11.0 / 24, Math.exp(p.logDensity(new double[] {0})), 1e-12);
        assertEquals(5.0 / 24, Math.exp(p.logDensity(new double[] {1})), 1e-12);
        assertEquals(8.0 / 24, Math.exp(p.logDensity(new double[] {2})), 1e-12);
    }

    @Test
    void anEstimatorOfNoPointsIsThePrior() {
        ParzenEstimator p = new ParzenEstimator(List.of(new Dimension.Choice(4)), List.of());
        assertEquals(1, p.components());
        assertEquals(0.25, Math.exp(p.logDensity(new double[] {3})), 1e-12);
    }

    @Test
    void samplesStayInsideTheSpace() {
        List<Dimension> space = List.of(new Dimension.Real(-1, 1, false), new Dimension.Real(1e-4, 1, true),
                new Dimension.Int(2, 4), new Dimension.Choice(2));
        ParzenEstimator p = new ParzenEstimator(space, List.of(new double[] {0.99, 1e-4, 4, 1}));
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 2000; i++) {
            double[] x = p.sample(random);
            assertTrue(x[0] >= -1 && x[0] <= 1 && x[1] >= 1e-4 && x[1] <= 1, java.util.Arrays.toString(x));
            assertTrue(x[2] == 2 || x[2] == 3 || x[2] == 4, java.util.Arrays.toString(x));
            assertTrue(x[3] == 0 || x[3] == 1, java.util.Arrays.toString(x));
        }
    }
}
