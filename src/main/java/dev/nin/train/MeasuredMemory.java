package dev.nin.train;

/**
 * Measured memory of one network, in bytes: a training step and prediction, each at batch 1 and at
 * the training batch. A value of its own (not nested in {@link MemoryProbe}) so that the store can
 * record it without depending on the probe that spawns processes.
 *
 * @param method how the figures were obtained, recorded with them ({@link #PROBE_METHOD} for {@link MemoryProbe}'s)
 */
public record MeasuredMemory(long trainingBatch1, long training, long predictionBatch1, long prediction, String method) {

    /**
     * {@link MemoryProbe}'s method. Part of a trial's memory key, so trials reuse only figures
     * measured the same way; changing it makes every network be measured again.
     */
    public static final String PROBE_METHOD = "cpu peak RSS above baseline, fresh process";
}
