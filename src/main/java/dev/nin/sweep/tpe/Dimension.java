package dev.nin.sweep.tpe;

/**
 * One coordinate of the space TPE searches, as the estimator sees it: a number in a closed range
 * (its logarithm for a log scale), an integer, or the index of one of {@code choices} unordered
 * options. A point of the space is a {@code double[]} with one entry per dimension: the value
 * itself for {@link Real} and {@link Int}, the option's index for {@link Choice}.
 */
public sealed interface Dimension {

    /**
     * A real number in [low, high].
     *
     * @param log whether the kernels live on log(x): for learning rates and other scale parameters
     */
    record Real(double low, double high, boolean log) implements Dimension {
        public Real {
            if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("real dimension: expected finite low < high, found [" + low + ", " + high + "]");
            }
            if (log && low <= 0) {
                throw new IllegalArgumentException("log dimension: expected low > 0, found " + low);
            }
        }
    }

    /** An integer in [low, high]. */
    record Int(long low, long high) implements Dimension {
        public Int {
            if (low > high) {
                throw new IllegalArgumentException("integer dimension: expected low <= high, found [" + low + ", " + high + "]");
            }
        }
    }

    /** One of {@code choices} unordered options, by index. */
    record Choice(int choices) implements Dimension {
        public Choice {
            if (choices < 1) {
                throw new IllegalArgumentException("choice dimension: expected at least one option, found " + choices);
            }
        }
    }
}
