package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static final int STEPS = 10;

    @Test
    void constantIsTheBooks() {
        for (long step = 0; step < 50; step++) {
            assertEquals(1.0, LearningRateSchedule.CONSTANT.factor(step, STEPS, 5));
        }
    }

    @Test
    void stepDecayMultipliesByGammaEveryStepEpochs() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0, 2, 0.1);
        assertEquals(1.0, s.factor(0, STEPS, 6));
        assertEquals(1.0, s.factor(19, STEPS, 6));
        assertEquals(0.1, s.factor(20, STEPS, 6), 1e-15);
        assertEquals(0.01, s.factor(45, STEPS, 6), 1e-15);
    }

    @Test
    void cosineFallsFromOneToZeroOverTheRun() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0, 3, 0.1);
        assertEquals(1.0, s.factor(0, STEPS, 4), 1e-15);
        assertEquals(0.5, s.factor(20, STEPS, 4), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.75)), s.factor(30, STEPS, 4), 1e-12);
        assertTrue(s.factor(39, STEPS, 4) < 0.01);
    }

    @Test
    void warmupRampsLinearlyThenHandsOver() {
        LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1, 3, 0.1);
        assertEquals(1.0 / STEPS * 1.0, s.factor(0, STEPS, 100), 1e-3);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 4 / 1000.0)) * 5 / STEPS, s.factor(4, STEPS, 100), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 10 / 1000.0)), s.factor(10, STEPS, 100), 1e-12);
    }

    @Test
    void badValuesNameTheKey() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0, 2, 1.5)).getMessage().startsWith("step_gamma"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.Kind.parse("linear"))
                .getMessage().contains("'linear'"));
    }
}
