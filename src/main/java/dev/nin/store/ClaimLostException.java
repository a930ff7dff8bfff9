package dev.nin.store;

/**
 * This process no longer owns the trial it was training: its lease expired and another worker
 * claimed it. Its results are discarded so that no trial is recorded twice.
 */
public final class ClaimLostException extends RuntimeException {

    public ClaimLostException(long trialId, int attempt) {
        super("trial " + trialId + ": attempt " + attempt + " lost its claim (lease expired and another worker took it);"
                + " its results were not recorded");
    }
}
