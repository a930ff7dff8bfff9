package dev.nin.model;

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
        if (!(momentum >= 0.0 && momentum < 1.0)) {
            throw new IllegalArgumentException("momentum: expected a value in [0, 1), found " + momentum);
        }
        if (nesterov && momentum == 0.0) {
            throw new IllegalArgumentException("nesterov: expected momentum > 0 with Nesterov, found momentum 0");
        }
        if (!(weightDecay >= 0.0 && Double.isFinite(weightDecay))) {
            throw new IllegalArgumentException("weight-decay: expected 0 or more, found " + weightDecay);
        }
    }

    /** Optimizer state values kept per parameter. */
    public int slotsPerParameter() {
        return momentum > 0 ? 1 : 0;
    }
}
