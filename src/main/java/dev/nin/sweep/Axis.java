package dev.nin.sweep;

import java.util.List;
import java.util.SplittableRandom;

/**
 * One hyperparameter a sweep varies: a list of values (a grid axis, or choices for random search),
 * or a range sampled by random search.
 */
public sealed interface Axis {

    /** The hyperparameter key, one of {@link Hyperparameters#KEYS}. */
    String key();

    /** Grid values, or uniform choices under random search. */
    record Values(String key, List<Object> values) implements Axis {}

    /** A numeric range for random search. */
    record Range(String key, Scale scale, double low, double high) implements Axis {

        /**
         * A value drawn from the range; integers for {@link Scale#INT_UNIFORM}. Real values keep three
         * significant digits: finer differences are noise, and round values read well in reports.
         */
        public Object sample(SplittableRandom random) {
            return switch (scale) {
                case UNIFORM -> round3(low + (high - low) * random.nextDouble());
                case LOG_UNIFORM -> round3(Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random.nextDouble()));
                case INT_UNIFORM -> (long) low + random.nextLong((long) high - (long) low + 1);
            };
        }

        static double round3(double value) {
            return new java.math.BigDecimal(value).round(new java.math.MathContext(3)).doubleValue();
        }
    }

    /** How a range is sampled. */
    enum Scale {
        UNIFORM("uniform"), LOG_UNIFORM("log_uniform"), INT_UNIFORM("int_uniform");

        public final String yamlName;

        Scale(String yamlName) {
            this.yamlName = yamlName;
        }
    }
}
