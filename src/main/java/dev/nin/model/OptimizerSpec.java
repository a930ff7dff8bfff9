package dev.nin.model;

import dev.nin.config.UsageException;
import dev.nin.config.Knob;

/**
 * Stochastic gradient descent as the graph applies it, with TensorFlow's own update kernels
 * ({@code ApplyGradientDescent}, or {@code ApplyMomentum} when momentum &gt; 0).
 *
 * @param momentum heavy-ball momentum in [0, 1); 0 is the book's plain SGD
 * @param nesterov use Nesterov's variant of momentum (needs momentum &gt; 0)
 * @param weightDecay L2 coefficient added to every gradient (g + wd·w, as PyTorch's SGD), ≥ 0
 */
public record OptimizerSpec(double momentum, boolean nesterov, double weightDecay) {

    /** The book's optimizer: plain SGD, no weight decay. */
    public static final OptimizerSpec BOOK_SGD = new OptimizerSpec(0.0, false, 0.0);

    public OptimizerSpec {
        Knob.MOMENTUM.require(momentum);
        String nesterovProblem = Knob.nesterovProblem(nesterov, momentum);
        if (nesterovProblem != null) {
            throw new UsageException("nesterov: " + nesterovProblem);
        }
        Knob.WEIGHT_DECAY.require(weightDecay);
    }

    /** Optimizer state values kept per parameter. */
    public int slotsPerParameter() {
        return momentum > 0 ? 1 : 0;
    }
}
