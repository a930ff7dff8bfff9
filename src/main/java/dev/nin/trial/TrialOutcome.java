package dev.nin.trial;

import dev.nin.store.TrialState;
import dev.nin.train.TrainingResult;

import java.util.Optional;

/**
 * How one trial ended for the process that ran it, as recorded in the store.
 *
 * @param trialId the trial's id in the store
 * @param ending trained (to any {@link TrainingResult.Status}), failed, or lost to another worker
 * @param result the training result when {@link Ending#TRAINED}, else null
 * @param failure what ended training when {@link Ending#FAILED}, or the lost claim when {@link Ending#LOST}; else null
 * @param detail one line for people: where training stopped, the failure's reason, or why the claim was lost
 * @param memorySeconds wall time spent measuring the network's memory before training, in seconds
 */
public record TrialOutcome(long trialId, Ending ending, TrainingResult result, Throwable failure, String detail,
        double memorySeconds) {

    /** The three ways a trial ends for this process. */
    public enum Ending {
        /** Training returned; the result says how it ended. */
        TRAINED,
        /** An exception ended training; the trial is recorded as failed. */
        FAILED,
        /** Another worker took the trial over (this claim's lease ran out); nothing was recorded by this process. */
        LOST
    }

    /** The trial's state in the store, or empty when the claim was lost (the trial is another worker's now). */
    public Optional<TrialState> state() {
        return switch (ending) {
            case TRAINED -> Optional.of(TrialState.of(result.status()));
            case FAILED -> Optional.of(TrialState.FAILED);
            case LOST -> Optional.empty();
        };
    }

    /**
     * Throws the failure as it was thrown (an unchecked exception, an error, or the lost claim);
     * does nothing when the trial {@linkplain Ending#TRAINED trained}.
     */
    public void rethrowFailure() {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
