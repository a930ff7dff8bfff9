package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nin.config.UsageException;
import dev.nin.model.OptimizerSpec;

import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

/** A configuration changes one value at a time, and is validated again when it does. */
class TrainConfigTest {

    private static final TrainConfig CONFIG = new TrainConfig(0.045, 3, 128, 96, 4, new OptimizerSpec(0.9, true, 5e-4),
            OptionalDouble.of(0.3), 2, TrainingOptions.BOOK);

    @Test
    void withSeedChangesTheSeedAndNothingElse() {
        TrainConfig retry = CONFIG.withSeed(5);
        assertEquals(new TrainConfig(0.045, 3, 128, 96, 5, new OptimizerSpec(0.9, true, 5e-4), OptionalDouble.of(0.3), 2,
                TrainingOptions.BOOK), retry);
    }

    @Test
    void aSeedOutOfRangeIsRefusedAsTheFlagWouldBe() {
        UsageException e = assertThrows(UsageException.class, () -> CONFIG.withSeed(-1));
        assertEquals("seed: expected 0 or more, found -1", e.getMessage());
    }
}
