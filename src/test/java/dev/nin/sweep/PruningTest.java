package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ASHA and the median rule on synthetic metric sequences: no training needed. */
class PruningTest {

    @Test
    void ashaRungsAreRTimesPowersOfEtaBelowTheLastEpoch() {
        assertEquals(List.of(1, 3, 9), new Pruning.Asha(1, 3).rungs(27));
        assertEquals(List.of(1, 2, 4, 8), new Pruning.Asha(1, 2).rungs(10));
        assertEquals(List.of(2, 8), new Pruning.Asha(2, 4).rungs(20));
        assertEquals(List.of(), new Pruning.Asha(5, 2).rungs(5));
        assertTrue(new Pruning.Asha(1, 3).judgesAt(3, 10));
        assertFalse(new Pruning.Asha(1, 3).judgesAt(2, 10));
        assertFalse(new Pruning.Asha(1, 3).judgesAt(9, 9), "the last epoch is never a rung");
    }

    /**
     * Trials arrive at a rung one after another with these accuracies; each is promoted when in the
     * top ⌊n/η⌋ (at least 1) of the n that have arrived, itself included. Expected by hand.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void ashaPromotesTheTopOneOverEtaOfThoseAtTheRungSoFar(int eta) {
        double[] arriving = {0.50, 0.70, 0.40, 0.80, 0.60, 0.30, 0.75, 0.20, 0.90};
        List<Boolean> promoted = replay(new Pruning.Asha(1, eta), arriving, true);
        List<Boolean> expected = switch (eta) {
            // n=1: top1 {.5} yes; n=2: top1 .7 yes; n=3: top1 (.7) .4 no; n=4: top2 (.8,.7) .8 yes; n=5: top2 .6 no;
            // n=6: top3 (.8,.7,.6) .3 no; n=7: top3 .75 yes; n=8: top4 (.8,.75,.7,.6) .2 no; n=9: top4 .9 yes.
            case 2 -> List.of(true, true, false, true, false, false, true, false, true);
            // n=1,2: top1: .5 yes, .7 yes; n=3: top1 .4 no; n=4..5: top1 (.8) .8 yes, .6 no; n=6..8: top2 (.8,.75 at n=7)
            // .3 no, .75 yes, .2 no; n=9: top3 .9 yes.
            case 3 -> List.of(true, true, false, true, false, false, true, false, true);
            // top1 until n=7 (then top2 at n=8, 9): .5 y, .7 y, .4 n, .8 y, .6 n, .3 n, .75 n, .2 n, .9 y.
            case 4 -> List.of(true, true, false, true, false, false, false, false, true);
            default -> throw new IllegalStateException();
        };
        assertEquals(expected, promoted);
    }

    @Test
    void ashaOnALossPromotesTheLowest() {
        assertEquals(List.of(true, false, true, true), replay(new Pruning.Asha(1, 2), new double[] {1.0, 2.0, 0.5, 0.9}, false));
    }

    @Test
    void ashaPrunesAboutAllButOneOverEtaOfARung() {
        // 81 trials arriving in a pseudo-random order: promotions ≈ 81/η, as successive halving keeps.
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        double[] arriving = new double[81];
        for (int i = 0; i < arriving.length; i++) {
            arriving[i] = random.nextDouble();
        }
        long promoted = replay(new Pruning.Asha(1, 3), arriving, true).stream().filter(b -> b).count();
        assertTrue(promoted >= 20 && promoted <= 40, "promoted " + promoted + " of 81 with eta 3");
    }

    @Test
    void theMedianRuleStopsTrialsBelowTheMedianOnceEnoughOthersExist() {
        Pruning.Median median = new Pruning.Median(2, 3);
        assertFalse(median.judgesAt(1, 10));
        assertTrue(median.judgesAt(2, 10));
        assertFalse(median.judgesAt(10, 10));
        assertTrue(median.promote(0.1, List.of(0.5, 0.6), true), "two others are not enough");
        assertTrue(median.promote(0.6, List.of(0.5, 0.6, 0.7), true));
        assertFalse(median.promote(0.55, List.of(0.5, 0.6, 0.7), true));
        assertTrue(median.promote(0.55, List.of(0.5, 0.6, 0.7, 0.4), true), "median of four is 0.55");
        assertFalse(median.promote(0.9, List.of(0.5, 0.6, 0.7), false), "a loss above the median stops");
    }

    private static List<Boolean> replay(Pruning rule, double[] arriving, boolean higherIsBetter) {
        List<Double> seen = new ArrayList<>();
        List<Boolean> decisions = new ArrayList<>();
        for (double value : arriving) {
            decisions.add(rule.promote(value, List.copyOf(seen), higherIsBetter));
            seen.add(value);
        }
        return decisions;
    }
}
