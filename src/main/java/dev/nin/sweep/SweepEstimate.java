package dev.nin.sweep;

import dev.nin.data.DataOptions;
import dev.nin.model.CostReport;
import dev.nin.train.Trainer;

import java.util.List;

/**
 * The work a sweep plan amounts to, counted from the specs: FLOPs of every training step and
 * evaluation pass of every trial. For a TPE sweep, whose model-guided trials are decided later,
 * the start-up draws' mean cost times the budget.
 *
 * @param trials trials in the plan
 * @param trainingFlops FLOPs of all training steps
 * @param evaluationFlops FLOPs of all validation and test passes
 */
public record SweepEstimate(int trials, double trainingFlops, double evaluationFlops) {

    /** Fashion-MNIST's sizes. */
    static final int TRAIN_IMAGES = 60_000;
    static final int TEST_IMAGES = 10_000;

    public static SweepEstimate of(List<PlannedTrial> plan, SweepFile sweep) {
        DataOptions data = sweep.data();
        int train = TRAIN_IMAGES - data.validationSize();
        if (data.trainLimit() > 0) {
            train = Math.min(train, data.trainLimit());
        }
        int evaluated = data.validationSize() + (data.testLimit() > 0 ? Math.min(TEST_IMAGES, data.testLimit()) : TEST_IMAGES);
        double training = 0;
        double evaluation = 0;
        for (PlannedTrial trial : plan) {
            Hyperparameters h = trial.hyperparameters();
            CostReport costs = new CostReport(h.toTrainConfig(trial.seed(), 0).plan(sweep.model(h.variant())));
            training += (double) h.epochs() * train * costs.trainingFlops();
            evaluation += (double) h.epochs() * evaluated * costs.forwardFlops();
        }
        if (sweep.strategy() == SweepFile.Strategy.TPE && !plan.isEmpty()) {
            // Only the start-up draws are known before workers ask: their mean cost, times the budget.
            double scale = (double) sweep.budget() / plan.size();
            return new SweepEstimate(sweep.budget(), training * scale, evaluation * scale);
        }
        return new SweepEstimate(plan.size(), training, evaluation);
    }

    public double totalFlops() {
        return trainingFlops + evaluationFlops;
    }

    /** Seconds at a measured rate of {@code gflops} GFLOP/s. */
    public double seconds(double gflops) {
        return totalFlops() / (gflops * 1e9);
    }
}
