package dev.nin.sweep.tpe;

/**
 * A trial TPE learns from: where it was, and how far and how well it got.
 *
 * @param id the trial's id, recorded in the history of suggestions that used it
 * @param point one value per {@link Dimension}
 * @param outcome what became of the trial
 * @param rung for a pruned trial, the last rung (epoch) it was judged at; otherwise 0
 * @param value the metric: the final one for a completed trial, the one it was judged on at its
 *        last rung for a pruned one; NaN when there is none (diverged, stalled, pending)
 */
public record Observation(long id, double[] point, Outcome outcome, int rung, double value) {

    /** What became of a trial, best first: the order TPE ranks outcomes in before it looks at values. */
    public enum Outcome {
        /** Trained to the end: ranked by value. */
        COMPLETED,
        /** Stopped by ASHA: ranked below every completed trial, by rung reached, then by value at that rung. */
        PRUNED,
        /** Diverged or stuck on the loss plateau: below every pruned trial. */
        FAILED_TO_LEARN,
        /**
         * Still running: a constant liar counts it as the worst outcome so that workers asking at
         * the same time are steered away from each other's configurations instead of piling up.
         */
        PENDING
    }

    public Observation {
        point = point.clone();
        if (outcome != Outcome.PRUNED && rung != 0) {
            throw new IllegalArgumentException("observation " + id + ": only a pruned trial has a rung, found " + rung);
        }
    }

    @Override
    public double[] point() {
        return point.clone();
    }

    double at(int dimension) {
        return point[dimension];
    }
}
