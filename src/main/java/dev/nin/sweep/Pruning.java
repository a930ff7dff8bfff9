package dev.nin.sweep;

import dev.nin.config.UsageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Stopping unpromising trials early, with epochs as the budget. Pure decisions over metric values;
 * {@link dev.nin.store.queue.PruningStore} applies them (as {@link StoreMapping#rule}) to a sweep's trials in PostgreSQL, one decision
 * per trial and epoch, under a lock, so that several workers agree.
 */
public sealed interface Pruning {

    /** No pruning: every trial runs all its epochs. */
    Pruning NONE = new None();

    /** Whether a trial that has just finished {@code epoch} of {@code maxEpochs} is judged now. */
    boolean judgesAt(int epoch, int maxEpochs);

    /**
     * Whether a trial whose metric after this epoch is {@code value} goes on.
     *
     * @param others the same metric, at the same epoch, of the sweep's trials judged there before (not this one)
     * @param higherIsBetter true for accuracy, false for loss
     */
    boolean promote(double value, List<Double> others, boolean higherIsBetter);

    /** Name stored with each decision: {@code asha} or {@code median}. */
    String method();

    record None() implements Pruning {
        @Override
        public boolean judgesAt(int epoch, int maxEpochs) {
            return false;
        }

        @Override
        public boolean promote(double value, List<Double> others, boolean higherIsBetter) {
            return true;
        }

        @Override
        public String method() {
            return "none";
        }
    }

    /**
     * Asynchronous successive halving (Li et al., 2020), in its stopping form: rungs at r, r·η,
     * r·η², … epochs (before the last epoch); a trial reaching a rung goes on when it is in the top
     * ⌊n/η⌋ (at least the top 1) of the n trials that have reached that rung so far, itself included.
     * The first trial at a rung always goes on, so early trials are judged leniently and later ones
     * against more competition, as in ASHA.
     *
     * @param minEpochs r, the first rung (≥ 1)
     * @param eta η, the reduction factor (≥ 2)
     */
    record Asha(int minEpochs, int eta) implements Pruning {

        public static final int DEFAULT_ETA = 3;

        public Asha {
            if (minEpochs < 1 || eta < 2) {
                throw new UsageException("asha: expected min_epochs ≥ 1 and eta ≥ 2, found " + minEpochs + ", " + eta);
            }
        }

        /** The rungs below {@code maxEpochs}: r, r·η, r·η², … */
        public List<Integer> rungs(int maxEpochs) {
            List<Integer> rungs = new ArrayList<>();
            for (long r = minEpochs; r < maxEpochs; r *= eta) {
                rungs.add((int) r);
            }
            return rungs;
        }

        @Override
        public boolean judgesAt(int epoch, int maxEpochs) {
            return rungs(maxEpochs).contains(epoch);
        }

        @Override
        public boolean promote(double value, List<Double> others, boolean higherIsBetter) {
            List<Double> all = new ArrayList<>(others);
            all.add(value);
            Comparator<Double> best = higherIsBetter ? Comparator.reverseOrder() : Comparator.naturalOrder();
            all.sort(best);
            int keep = Math.max(1, all.size() / eta);
            double threshold = all.get(keep - 1);
            return higherIsBetter ? value >= threshold : value <= threshold;
        }

        @Override
        public String method() {
            return "asha";
        }
    }

    /**
     * The median stopping rule (Golovin et al., 2017): from {@code minEpochs} on, after every epoch, a
     * trial stops when its metric is worse than the median of the other trials' at the same epoch,
     * once at least {@code minTrials} others have reached it.
     */
    record Median(int minEpochs, int minTrials) implements Pruning {

        public static final int DEFAULT_MIN_TRIALS = 3;

        public Median {
            if (minEpochs < 1 || minTrials < 1) {
                throw new UsageException("median: expected min_epochs ≥ 1 and min_trials ≥ 1, found "
                        + minEpochs + ", " + minTrials);
            }
        }

        @Override
        public boolean judgesAt(int epoch, int maxEpochs) {
            return epoch >= minEpochs && epoch < maxEpochs;
        }

        @Override
        public boolean promote(double value, List<Double> others, boolean higherIsBetter) {
            if (others.size() < minTrials) {
                return true;
            }
            List<Double> sorted = new ArrayList<>(others);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return higherIsBetter ? value >= median : value <= median;
        }

        @Override
        public String method() {
            return "median";
        }
    }
}
