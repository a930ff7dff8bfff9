package dev.nin.model;

import dev.nin.config.UsageException;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How weights start. Seeded, so a run is reproducible; no global random state. Biases and BN
 * shifts start at 0, BN scales at 1, whatever the scheme.
 */
public enum Initializer {

    /** Glorot (Xavier) uniform, as the book's {@code init_cnn}: U(-a, a), a = sqrt(6 / (fan_in + fan_out)). */
    XAVIER,

    /** He (Kaiming) uniform, for ReLU networks: U(-a, a), a = sqrt(6 / fan_in); variance 2 / fan_in. */
    HE;

    /** The bound a of U(-a, a) for {@code parameter}'s weights. */
    public double limit(Parameter parameter) {
        return switch (this) {
            case XAVIER -> Math.sqrt(6.0 / (parameter.fanIn() + parameter.fanOut()));
            case HE -> Math.sqrt(6.0 / parameter.fanIn());
        };
    }

    /** Name in sweep files and on the command line: {@code xavier} or {@code he}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Initializer parse(String text) {
        for (Initializer i : values()) {
            if (i.key().equals(text)) {
                return i;
            }
        }
        throw new UsageException("init: expected xavier or he, found '" + text + "'");
    }

    /** A seeded source of initial values; draw every parameter from one, in order. */
    public Draw seeded(long seed) {
        return new Draw(this, new SplittableRandom(seed));
    }

    /** Initial values drawn in sequence from one seed. */
    public static final class Draw {
        private final Initializer scheme;
        private final SplittableRandom random;

        private Draw(Initializer scheme, SplittableRandom random) {
            this.scheme = scheme;
            this.random = random;
        }

        /** Initial values of {@code parameter}, row-major in its shape. */
        public double[] values(Parameter parameter) {
            double[] values = new double[Math.toIntExact(parameter.size())];
            switch (parameter.kind()) {
                case SCALE -> Arrays.fill(values, 1.0);
                case BIAS, SHIFT -> { }
                case WEIGHTS -> {
                    double limit = scheme.limit(parameter);
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (random.nextDouble() * 2.0 - 1.0) * limit;
                    }
                }
            }
            return values;
        }
    }
}
