package dev.nin.sweep;

import java.util.Set;
import java.util.LinkedHashSet;
import dev.nin.train.PrecisionProbe;
import dev.nin.train.Benchmark;
import dev.nin.model.ComputePrecision;
import dev.nin.engine.RuntimeInfo;
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

    /** What a training step's speed depends on. */
    private record StepShape(String variant, int resize, int batch, ComputePrecision precision) {}

    /**
     * Training GFLOP/s of the slowest (variant, resize, batch, precision used here) in the plan, from
     * a few real steps: an upper bound on the time when the plan mixes fast and slow shapes.
     */
    public static double measureGflops(SweepFile sweep, List<PlannedTrial> plan, RuntimeInfo runtime, int threads,
            PrecisionProbe precisions) {
        Set<StepShape> shapes = new LinkedHashSet<>();
        for (PlannedTrial trial : plan) {
            Hyperparameters h = trial.hyperparameters();
            // The precision each trial will run in: auto's measurement is kept, so the trial reuses it.
            shapes.add(new StepShape(h.variant(), h.resize(), h.batch(),
                    precisions.choose(h.options().precision(), sweep.model(h.variant()), h.resize(), h.batch()).precision()));
        }
        Benchmark bench = new Benchmark(runtime, threads);
        double slowest = Double.POSITIVE_INFINITY;
        for (StepShape shape : shapes) {
            slowest = Math.min(slowest, bench.training(sweep.model(shape.variant()), shape.resize(), shape.batch(), 1, 2,
                    shape.precision()).gflops());
        }
        return slowest;
    }
}
