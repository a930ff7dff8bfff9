package dev.nin.model;

import java.util.SplittableRandom;

/**
 * Glorot (Xavier) uniform initialisation, as the book's {@code init_cnn}: weights drawn from
 * U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); biases start at zero. Seeded, so a run is
 * reproducible; no global random state.
 */
public final class GlorotUniform {

    private final SplittableRandom random;

    public GlorotUniform(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Initial values of {@code parameter}, row-major in its shape. */
    public double[] values(Parameter parameter) {
        double[] values = new double[Math.toIntExact(parameter.size())];
        if (parameter.bias()) {
            return values;
        }
        double limit = limit(parameter);
        for (int i = 0; i < values.length; i++) {
            values[i] = (random.nextDouble() * 2.0 - 1.0) * limit;
        }
        return values;
    }

    /** a = sqrt(6 / (fan_in + fan_out)). */
    public static double limit(Parameter parameter) {
        return Math.sqrt(6.0 / (parameter.fanIn() + parameter.fanOut()));
    }
}
