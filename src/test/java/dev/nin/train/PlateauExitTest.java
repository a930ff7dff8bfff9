package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class PlateauExitTest {

    private static final double LN10 = Math.log(10);

    @Test
    void theExitIsTheFirstStepOfTheFirstFullRunBelowTheBand() {
        PlateauExit exit = new PlateauExit(0.02, 10, 3);
        assertTrue(exit.observe(1, LN10).isEmpty());
        assertTrue(exit.observe(2, LN10 - 0.03).isEmpty()); // below, a run starts at 2
        assertTrue(exit.observe(3, LN10 - 0.01).isEmpty()); // inside the band again: the run breaks
        assertTrue(exit.observe(4, 2.0).isEmpty());
        assertTrue(exit.observe(5, 1.9).isEmpty());
        assertEquals(OptionalLong.of(4), exit.observe(6, 1.8));
        assertTrue(exit.observe(7, 1.7).isEmpty(), "answered once");
    }

    @Test
    void aGapInTheStepsOrANanBreaksTheRun() {
        PlateauExit exit = new PlateauExit(0.02, 10, 2);
        assertTrue(exit.observe(10, 2.0).isEmpty());
        assertTrue(exit.observe(12, 2.0).isEmpty()); // step 11 missing (a resumed run starts elsewhere)
        assertEquals(OptionalLong.of(12), exit.observe(13, 2.0));
        PlateauExit nan = new PlateauExit(0.02, 10, 2);
        assertTrue(nan.observe(1, 2.0).isEmpty());
        assertTrue(nan.observe(2, Double.NaN).isEmpty());
        assertTrue(nan.observe(3, 2.0).isEmpty());
        assertEquals(OptionalLong.of(3), nan.observe(4, 2.0));
    }

    @Test
    void theStallRulesBandOrTheDefault() {
        PlateauExit own = PlateauExit.of(new StallRule(40, 0.1), 10);
        for (int s = 1; s <= PlateauExit.RUN_DEFAULT - 1; s++) {
            assertTrue(own.observe(s, LN10 - 0.05).isEmpty(), "inside a 0.1 band: still on the plateau");
        }
        PlateauExit byDefault = PlateauExit.of(StallRule.OFF, 10);
        OptionalLong left = OptionalLong.empty();
        for (int s = 1; s <= PlateauExit.RUN_DEFAULT; s++) {
            left = byDefault.observe(s, LN10 - 0.05); // below the default band of 0.02
        }
        assertEquals(OptionalLong.of(1), left);
        assertThrows(IllegalArgumentException.class, () -> new PlateauExit(0, 10, 20));
    }
}
