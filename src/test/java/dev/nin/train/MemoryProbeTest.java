package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.model.CostReport;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;
import org.junit.jupiter.api.Test;

/**
 * Measured memory (peak resident memory of fresh processes running the real graph) is real,
 * ordered as it must be, and near the analytic estimate.
 */
class MemoryProbeTest {

    private static final int RESIZE = 96;
    private static final int BATCH = 128;

    /**
     * The stated bounds (README, "Memory"): measured ≥ half the estimate, and ≤ 1.5 times it plus
     * TensorFlow's fixed runtime cost.
     */
    static final double LOW = 0.5;
    static final double HIGH = 1.5;

    /** TensorFlow's fixed cost of running any graph (kernels' scratch, oneDNN's caches), which batch 1 is dominated by. */
    static final long RUNTIME_OVERHEAD_BYTES = 128L << 20;

    @Test
    void measuredMemoryIsOrderedAndNearTheEstimate() {
        var spec = Variants.standard();
        MeasuredMemory m = new MemoryProbe(2).measureAll(spec, RESIZE, BATCH, OptimizerSpec.BOOK_SGD);
        String all = m.toString();
        assertTrue(m.trainingBatch1() > 0 && m.predictionBatch1() > 0, all);
        assertTrue(m.training() > m.prediction(), "training > prediction at batch 128: " + all);
        assertTrue(m.trainingBatch1() > m.predictionBatch1(), "training > prediction at batch 1: " + all);
        assertTrue(m.training() > m.trainingBatch1(), "batch 128 > batch 1 in training: " + all);
        assertTrue(m.prediction() > m.predictionBatch1(), "batch 128 > batch 1 in prediction: " + all);

        CostReport costs = CostReport.of(spec, RESIZE);
        assertNear(m.training(), costs.training(BATCH, 0).total(), "training, batch 128");
        assertNear(m.prediction(), costs.prediction(BATCH).total(), "prediction, batch 128");
        assertNear(m.trainingBatch1(), costs.training(1, 0).total(), "training, batch 1");
        assertNear(m.predictionBatch1(), costs.prediction(1).total(), "prediction, batch 1");
    }

    private static void assertNear(long measured, long estimated, String what) {
        assertTrue(measured >= LOW * estimated && measured <= HIGH * estimated + RUNTIME_OVERHEAD_BYTES,
                what + ": measured " + measured + " bytes, estimated " + estimated + " (expected " + LOW + "x to " + HIGH
                        + "x + " + RUNTIME_OVERHEAD_BYTES + ")");
    }
}
