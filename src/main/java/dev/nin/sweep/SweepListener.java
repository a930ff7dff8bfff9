package dev.nin.sweep;

import dev.nin.store.queue.SweepStore;
import dev.nin.store.TrialState;
import dev.nin.train.TrainingListener;

import java.util.Optional;

/** What a sweep worker announces; the console prints it. */
public interface SweepListener {

    /** Receives the trial's training events. */
    TrainingListener trialStarting(SweepStore.Claim claim, String label, int resumedAfter);

    /**
     * @param state the trial's state in the store as this worker left it; empty when the claim was
     *     lost (another worker took the trial over and nothing of this run was recorded)
     * @param detail error or divergence point, empty when none
     * @param timing where the trial's time went
     */
    void trialEnded(SweepStore.Claim claim, Optional<TrialState> state, String detail, TrialTiming timing);
}
