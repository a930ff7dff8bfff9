package dev.nin.train;

/**
 * Asked after every epoch (once its metrics are recorded) whether the run goes on; a sweep's
 * pruning rule answers it.
 */
@FunctionalInterface
public interface EpochGate {

    /** Every epoch goes on. */
    EpochGate NONE = metrics -> Verdict.CONTINUE;

    Verdict afterEpoch(EpochMetrics metrics);

    /**
     * @param stop whether the run stops here, recorded as pruned
     * @param detail why, e.g. "rung at epoch 3: not in the top 1/3 of 6"
     */
    record Verdict(boolean stop, String detail) {
        public static final Verdict CONTINUE = new Verdict(false, "");

        public static Verdict prune(String detail) {
            return new Verdict(true, detail);
        }
    }
}
