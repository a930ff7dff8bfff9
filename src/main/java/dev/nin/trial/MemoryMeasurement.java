package dev.nin.trial;

import dev.nin.io.Units;
import dev.nin.model.ComputePrecision;
import dev.nin.model.NetworkPlan;
import dev.nin.store.queue.TrialRecorder;
import dev.nin.train.MeasuredMemory;
import dev.nin.train.MemoryProbe;
import dev.nin.train.TrainConfig;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Measures a trial's network memory before it trains, or reuses an earlier trial's figures for the
 * same network: the store looks the figures up and records them, this class runs the probe (fresh
 * JVMs) only when the store has none. It lives above the store, so the store never starts a
 * process; {@link TrialExecution} calls it for every trial.
 */
final class MemoryMeasurement {

    private final TrialRecorder recorder;

    MemoryMeasurement(TrialRecorder recorder) {
        this.recorder = recorder;
    }

    /** Measures (or reuses) the trial's memory; a failed measurement is reported and training goes on. */
    void measure(long trialId, NetworkPlan plan, TrainConfig config, ComputePrecision precision, Consumer<String> notices) {
        try {
            var recorded = recorder.recordMeasuredMemory(trialId, () -> new MemoryProbe(config.threads())
                    .measureAll(plan.spec(), config.resize(), config.batchSize(), config.optimizer(), precision));
            if (recorded.fresh()) {
                MeasuredMemory m = recorded.measured();
                notices.accept(String.format(Locale.ROOT, "memory measured for %s at %d px in %s: training %s (batch %d),"
                        + " prediction %s", plan.spec().variant(), config.resize(), precision.key(), Units.bytes(m.training()),
                        config.batchSize(),
                        Units.bytes(m.prediction())));
            }
        } catch (IllegalStateException e) {
            notices.accept("memory not measured for trial " + trialId + ": " + e.getMessage());
        }
    }
}
