package dev.nin.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.store.query.SeedStatisticsQuery.Difference;
import dev.nin.store.query.SeedStatisticsQuery.Metric;
import dev.nin.store.query.SeedStatisticsQuery.Summary;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The bootstrap against values worked out by hand, and when it replaces the store's Welch interval. */
class SeedComparisonTest {

    @Test
    void bootstrapOfTwoValuesAgainstOneHasTheEnumeratedQuantiles() {
        // mean of a resample of {0, 1}: 0 (p 1/4), 0.5 (p 1/2), 1 (p 1/4); b = {0} always 0. The 2.5%
        // quantile lies inside the block of zeros, the 97.5% one inside the block of ones.
        double[] interval = SeedComparison.bootstrap(new double[] {0, 1}, new double[] {0}, new SplittableRandom(1), 10_000);
        assertArrayEquals(new double[] {0.0, 1.0}, interval, 0.0);
    }

    @Test
    void bootstrapOfConstantSidesIsThePointDifference() {
        double[] interval = SeedComparison.bootstrap(new double[] {0.9, 0.9, 0.9}, new double[] {0.8, 0.8}, new SplittableRandom(3), 500);
        assertEquals(0.1, interval[0], 1e-12);
        assertEquals(0.1, interval[1], 1e-12);
    }

    @Test
    void bootstrapIsTheSameForTheSameSeedAndCoversAClearShift() {
        double[] a = {0.86, 0.87, 0.85, 0.88, 0.86, 0.87, 0.85, 0.86, 0.88, 0.87};
        double[] b = {0.80, 0.81, 0.79, 0.82, 0.80, 0.81, 0.79, 0.80, 0.82, 0.81};
        double[] first = SeedComparison.bootstrap(a, b, new SplittableRandom(18), 10_000);
        double[] again = SeedComparison.bootstrap(a, b, new SplittableRandom(18), 10_000);
        assertArrayEquals(first, again, 0.0);
        // Means 0.865 and 0.805, difference 0.060. Each side's values spread with population standard
        // deviation sqrt(0.000105) = 0.01025, so a resampled mean's is 0.00324 and the difference's
        // sqrt(2) * 0.00324 = 0.00458: about 0.060 ± 1.96 * 0.00458 = [0.0510, 0.0690].
        assertEquals(0.0510, first[0], 0.0015);
        assertEquals(0.0690, first[1], 0.0015);
    }

    @Test
    void quantileIsLinearBetweenOrderStatistics() {
        assertEquals(2.5, SeedComparison.quantile(new double[] {1, 2, 3, 4}, 0.5), 1e-12);
        assertEquals(1.075, SeedComparison.quantile(new double[] {1, 2, 3, 4}, 0.025), 1e-12);
    }

    @Test
    void welchStaysBelowTenSeedsAndTheBootstrapTakesOverFromTen() {
        Difference few = new Difference(Metric.TEST_ACCURACY, "b", "a", 9, 12, 0.87, 0.86, 0.01, 0.004, 15.2, 0.0015, 0.0185, false);
        Difference many = new Difference(Metric.TEST_ACCURACY, "c", "a", 10, 12, 0.85, 0.86, -0.01, 0.004, 19.0, -0.018, -0.002, false);
        double[] a = new double[12];
        double[] c = new double[10];
        java.util.Arrays.fill(a, 0.86);
        java.util.Arrays.fill(c, 0.85);
        List<SeedComparison.Interval> out = SeedComparison.intervals(List.of(few, many), Map.of("a", a, "c", c), 18, 1000);
        assertEquals(SeedComparison.Method.WELCH, out.get(0).method());
        assertEquals(0.0015, out.get(0).low(), 0.0);
        assertEquals(SeedComparison.Method.BOOTSTRAP, out.get(1).method());
        assertEquals(-0.01, out.get(1).low(), 1e-12);
        assertEquals(-0.01, out.get(1).high(), 1e-12);
        assertFalse(out.get(1).withinNoise());
        assertTrue(new SeedComparison.Interval("x", "a", 3, 3, 0.01, -0.002, 0.022, SeedComparison.Method.WELCH).withinNoise());
        assertEquals("within noise", new SeedComparison.Interval("x", "a", 3, 3, 0.01, -0.002, 0.022, SeedComparison.Method.WELCH).verdict());
        assertEquals("worse", out.get(1).verdict());
        assertEquals("better", out.get(0).verdict());
    }

    @Test
    void theBaselineIsNamedOrTheFirstTrialsConfiguration() {
        List<Summary> summaries = List.of(summary("standard lr=0.05"), summary("no-1x1 lr=0.05"));
        assertEquals("no-1x1 lr=0.05", SeedComparison.baseline(null, Optional.of("no-1x1 lr=0.05"), "s", summaries));
        assertEquals("standard lr=0.05", SeedComparison.baseline(null, Optional.empty(), "s", summaries));
        assertEquals("no-1x1 lr=0.05", SeedComparison.baseline("no-1x1 lr=0.05", Optional.empty(), "s", summaries));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeedComparison.baseline("standard", Optional.empty(), "s", summaries));
        assertEquals("--baseline: no ended trial of sweep s has the configuration 'standard'; expected one of:"
                + " standard lr=0.05, no-1x1 lr=0.05", e.getMessage());
    }

    @Test
    void stuckTrialsAreCountedBesideTheMean() {
        assertEquals("2 of 5 stuck", SeedComparison.stuckNote(new Summary("a", "standard", 5, 2, 3, 0.8, 0.01, 0.8, 0.01, 0.5, 0.3,
                0.5, 0.3)));
        assertEquals("none stuck", SeedComparison.stuckNote(summary("a")));
    }

    private static Summary summary(String configuration) {
        return new Summary(configuration, "standard", 3, 0, 3, 0.8, 0.01, 0.8, 0.01, 0.8, 0.01, 0.8, 0.01);
    }
}
