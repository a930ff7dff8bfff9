package dev.nin.sweep.tpe;

import dev.nin.config.UsageException;
import java.util.List;

/**
 * A standard synthetic minimisation problem samplers are measured on (Surjanovic and Bingham's
 * Virtual Library of Simulation Experiments gives their definitions and minima). The same three
 * are defined in bench/peers/optuna_tpe.py, so nin's TPE and Optuna's are judged on one problem.
 *
 * @param name as the benchmark prints it
 * @param space the search space
 * @param noise standard deviation of the Gaussian noise a sampler sees on top of the value (0: exact)
 * @param minimum the global minimum, for reading the figures
 */
public record Objective(String name, List<Dimension> space, Function function, double noise, double minimum) {

    /** The noise-free value at a point. */
    @FunctionalInterface
    public interface Function {
        double at(double[] x);
    }

    public Objective {
        space = List.copyOf(space);
    }

    public double at(double[] x) {
        return function.at(x);
    }

    /** Branin-Hoo on [-5, 10] x [0, 15]: three global minima of 0.397887. */
    public static final Objective BRANIN = new Objective("branin",
            List.of(new Dimension.Real(-5, 10, false), new Dimension.Real(0, 15, false)), Objective::branin, 0, 0.397887);

    /** Hartmann 6-D on [0, 1]^6: one global minimum of -3.32237 among several local ones. */
    public static final Objective HARTMANN6 = new Objective("hartmann6",
            java.util.Collections.nCopies(6, new Dimension.Real(0, 1, false)), Objective::hartmann6, 0, -3.32237);

    /**
     * Branin seen through N(0, 1) noise: the sampler ranks noisy values, and what it found is judged
     * by the noise-free value of the point that looked best.
     */
    public static final Objective NOISY_BRANIN = new Objective("noisy-branin", BRANIN.space(), Objective::branin, 1.0, 0.397887);

    public static final List<Objective> ALL = List.of(BRANIN, HARTMANN6, NOISY_BRANIN);

    /** The objective called {@code name}. */
    public static Objective named(String name) {
        for (Objective o : ALL) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw new UsageException("objective: expected one of branin, hartmann6, noisy-branin, found '" + name + "'");
    }

    static double branin(double[] x) {
        double b = 5.1 / (4 * Math.PI * Math.PI);
        double c = 5 / Math.PI;
        double t = 1 / (8 * Math.PI);
        double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
        return u * u + 10 * (1 - t) * Math.cos(x[0]) + 10;
    }

    private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] A = {
        {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] P = {
        {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886}, {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
        {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650}, {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

    static double hartmann6(double[] x) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
            double inner = 0;
            for (int j = 0; j < 6; j++) {
                double d = x[j] - P[i][j];
                inner += A[i][j] * d * d;
            }
            sum += ALPHA[i] * Math.exp(-inner);
        }
        return -sum;
    }
}
