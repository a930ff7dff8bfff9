package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class SweepPlannerTest {

    private static final String GRID = """
            name: g
            data: {validation: 10}
            variants: [no-1x1, standard]
            axes:
              lr: [0.01, 0.1, 0.2]
              batch: [64, 128]
            seeds: [7, 8]
            """;

    private static final String RANDOM = """
            name: r
            data: {validation: 10}
            strategy: random
            budget: 20
            sampler_seed: %d
            axes:
              lr: {log_uniform: [0.001, 0.5]}
              momentum: {uniform: [0.0, 0.9]}
              epochs: {int_uniform: [2, 4]}
              batch: [32, 64]
            repeats: 2
            """;

    @Test
    void gridIsEveryCombinationTimesEverySeedInAFixedOrder() {
        List<PlannedTrial> plan = SweepPlanner.plan(SweepParser.parse("g.yaml", GRID));
        assertEquals(2 * 3 * 2 * 2, plan.size());
        // First seed over the whole grid before the second; the last axis varies fastest.
        assertEquals("no-1x1", plan.get(0).hyperparameters().variant());
        assertEquals(0.01, plan.get(0).hyperparameters().lr());
        assertEquals(64, plan.get(0).hyperparameters().batch());
        assertEquals(128, plan.get(1).hyperparameters().batch());
        assertEquals(0.1, plan.get(2).hyperparameters().lr());
        assertEquals("standard", plan.get(6).hyperparameters().variant());
        assertEquals(7, plan.get(11).seed());
        assertEquals(8, plan.get(12).seed());
        assertEquals(plan.get(0).hyperparameters(), plan.get(12).hyperparameters());
        assertEquals(24, new HashSet<>(plan.stream().map(PlannedTrial::label).toList()).size());
    }

    @Test
    void theSameFilePlansTheSameTrials() {
        assertEquals(SweepPlanner.plan(SweepParser.parse("g.yaml", GRID)), SweepPlanner.plan(SweepParser.parse("g.yaml", GRID)));
        String random = RANDOM.formatted(3);
        assertEquals(SweepPlanner.plan(SweepParser.parse("r.yaml", random)), SweepPlanner.plan(SweepParser.parse("r.yaml", random)));
    }

    @Test
    void randomSearchIsDeterministicForASeedAndStaysInItsRanges() {
        List<PlannedTrial> a = SweepPlanner.plan(SweepParser.parse("r.yaml", RANDOM.formatted(3)));
        List<PlannedTrial> b = SweepPlanner.plan(SweepParser.parse("r.yaml", RANDOM.formatted(4)));
        assertEquals(40, a.size());
        assertNotEquals(a, b, "another sampler seed draws other configurations");
        for (PlannedTrial t : a) {
            Hyperparameters h = t.hyperparameters();
            assertTrue(h.lr() >= 0.001 && h.lr() <= 0.5, h.label());
            assertTrue(h.momentum() >= 0 && h.momentum() <= 0.9, h.label());
            assertTrue(h.epochs() >= 2 && h.epochs() <= 4, h.label());
            assertTrue(h.batch() == 32 || h.batch() == 64, h.label());
        }
        // Each configuration is repeated with seeds 1 and 2.
        assertEquals(a.get(0).hyperparameters(), a.get(20).hyperparameters());
        assertEquals(1, a.get(0).seed());
        assertEquals(2, a.get(20).seed());
        // Log-uniform: about as many draws below the geometric middle (~0.022) as above it.
        long below = a.subList(0, 20).stream().filter(t -> t.hyperparameters().lr() < Math.sqrt(0.001 * 0.5)).count();
        assertTrue(below >= 4 && below <= 16, "log-uniform draws below the middle: " + below);
    }

    /** Eight axes of ten values: 10^8 configurations, counted from the file and refused before one is built. */
    @Test
    void aHugeGridIsCountedAndRefusedBeforeAnyTrialIsBuilt() {
        StringBuilder yaml = new StringBuilder("name: huge\nmetric: train_loss\naxes:\n");
        String[] keys = {"lr", "epochs", "batch", "momentum", "weight_decay", "warmup_epochs", "label_smoothing", "step_gamma"};
        for (String key : keys) {
            yaml.append("  ").append(key).append(": [");
            for (int i = 1; i <= 10; i++) {
                yaml.append(i > 1 ? ", " : "").append(key.equals("epochs") || key.equals("batch") ? Integer.toString(i)
                        : Double.toString(i / 20.0));
            }
            yaml.append("]\n");
        }
        SweepFile sweep = SweepParser.parse("huge.yaml", yaml.toString());
        assertEquals(100_000_000L, SweepPlanner.count(sweep));
        // Refused from the count alone: 100 million planned trials (over 10 GB) do not fit in this test's
        // heap, so building them first would end in an OutOfMemoryError, not in this refusal.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SweepPlanner.plan(sweep, SweepPlanner.DEFAULT_MAX_TRIALS, "huge.yaml"));
        assertEquals("huge.yaml: plans 100,000,000 trials (10 x 10 x 10 x 10 x 10 x 10 x 10 x 10 configurations x 1 seed),"
                + " above the limit of 10,000; narrow the axes or draw a budget with strategy: random,"
                + " or raise the limit with --plan-limit 100000000", e.getMessage());
    }

    @Test
    void countIsGridTimesSeedsOrBudgetTimesSeedsAndTheLimitIsInclusive() {
        SweepFile grid = SweepParser.parse("g.yaml", GRID);
        assertEquals(2 * 3 * 2 * 2, SweepPlanner.count(grid));
        assertEquals(24, SweepPlanner.plan(grid, 24, "g.yaml").size());
        assertThrows(IllegalArgumentException.class, () -> SweepPlanner.plan(grid, 23, "g.yaml"));
        SweepFile random = SweepParser.parse("r.yaml", RANDOM.formatted(1));
        assertEquals(40, SweepPlanner.count(random));
        assertEquals("r.yaml: plans 40 trials (budget 20 x 2 seeds), above the limit of 39; narrow the axes or draw a budget"
                + " with strategy: random, or raise the limit with --plan-limit 40",
                assertThrows(IllegalArgumentException.class, () -> SweepPlanner.plan(random, 39, "r.yaml")).getMessage());
    }
}
