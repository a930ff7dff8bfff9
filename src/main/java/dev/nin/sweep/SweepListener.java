package dev.nin.sweep;

import dev.nin.store.SweepStore;
import dev.nin.train.TrainingListener;

/** What a sweep worker announces; the console prints it. */
public interface SweepListener {

    /** Receives the trial's training events. */
    TrainingListener trialStarting(SweepStore.Claim claim, String label, int resumedAfter);

    /**
     * @param state completed, diverged, failed, or lost (another worker took it over)
     * @param detail error or divergence point, empty when none
     * @param timing where the trial's time went
     */
    void trialEnded(SweepStore.Claim claim, String state, String detail, TrialTiming timing);
}
