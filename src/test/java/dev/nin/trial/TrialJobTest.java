package dev.nin.trial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.DataOptions;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.Variants;
import dev.nin.train.Checkpoints;
import dev.nin.train.TrainConfig;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialJobTest {

    private static final RuntimeInfo CPU = new RuntimeInfo("cpu", false, "2.16.1", "0.36.0", false, false, "test", "test CPU");
    private static final DataOptions DATA = new DataOptions(100, 10, 10);
    private static final DataOptions.Splits SPLITS = new DataOptions.Splits(null, null, null);

    private static TrialJob.Builder complete() {
        return TrialJob.builder().setEntry(new TrialJob.Entry.New("lr=0.1")).setModel(Variants.named("standard"))
                .setConfig(TrainConfig.book()).setData(DATA, SPLITS).setRuntime(CPU);
    }

    @Test
    void optionalValuesHaveTheirDocumentedDefaults() {
        TrialJob job = complete().build();
        assertEquals(TrialJob.MEASURE_MEMORY_DEFAULT, job.measureMemory());
        assertTrue(job.measureMemory(), "memory is measured unless told not to");
        assertFalse(job.saveModel());
        assertTrue(job.checkpoints().isEmpty());
        assertEquals(0, job.resumeAfter());
    }

    @Test
    void eachMissingRequiredValueIsNamed() {
        record Missing(String name, UnaryOperator<TrialJob.Builder> unset) {}
        for (Missing m : new Missing[] {
            new Missing("entry", b -> b.setEntry(null)),
            new Missing("model", b -> b.setModel(null)),
            new Missing("config", b -> b.setConfig(null)),
            new Missing("data options", b -> b.setData(null, SPLITS)),
            new Missing("data splits", b -> b.setData(DATA, null)),
            new Missing("runtime", b -> b.setRuntime(null)),
            new Missing("gate", b -> b.optGate(null)),
        }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.unset().apply(complete()).build());
            assertEquals(m.name() + ": expected a value, found nothing", e.getMessage());
        }
    }

    @Test
    void resumingNeedsCheckpointsAndAnEpoch(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> complete().optCheckpoints(null, 2).build());
        assertThrows(IllegalArgumentException.class, () -> complete().optCheckpoints(new Checkpoints(dir), -1).build());
        assertEquals(2, complete().optCheckpoints(new Checkpoints(dir), 2).build().resumeAfter());
    }

    @Test
    void runningOutOfMemorySaysWhatToShrink() {
        assertEquals("out of memory: Java heap space (try a smaller batch or resize)",
                TrialExecution.reason(new OutOfMemoryError("Java heap space")));
        assertEquals("boom", TrialExecution.reason(new IllegalStateException("boom")));
        assertEquals("java.lang.IllegalStateException", TrialExecution.reason(new IllegalStateException()));
    }

    @Test
    void anOutcomeNamesTheStateTheStoreHolds() {
        var failed = new TrialOutcome(7, TrialOutcome.Ending.FAILED, null, new IllegalStateException("x"), "x", 0);
        assertEquals("failed", failed.state().orElseThrow().value);
        assertThrows(IllegalStateException.class, failed::rethrowFailure);
        var lost = new TrialOutcome(7, TrialOutcome.Ending.LOST, null, new IllegalStateException("lost"), "lost", 0);
        assertTrue(lost.state().isEmpty(), "a lost claim is no state of the trial");
    }
}
