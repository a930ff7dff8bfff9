package dev.nin.sweep.tpe;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A Parzen (kernel density) estimator over a search space: an equally weighted mixture of one
 * product kernel per observed point plus one wide "prior" component, so that the density is never
 * zero anywhere in the space (Bergstra et al. 2011; the multivariate form of Falkner et al. 2018,
 * studied by Watanabe 2023).
 *
 * <ul>
 *   <li>Real and integer dimensions: a normal kernel centred on the observed value (on log(x) for a
 *       log scale), truncated to the range; integers take the mass of [k - 0.5, k + 0.5]. Its width
 *       is Bergstra et al.'s: the larger gap to its neighbours in that dimension ({@link #widths}),
 *       clipped to at least (high - low) / min(100, 1 + components) so that a few close points do
 *       not make a needle ("magic clip"), and to at most the range. The prior component is centred
 *       on the range with width high - low.</li>
 *   <li>Choice dimensions: half of a kernel's mass on the observed option and half spread evenly
 *       over all options (an Aitchison-Aitken kernel); the prior is uniform.</li>
 * </ul>
 */
final class ParzenEstimator {

    /** Weight of the prior component relative to one observation's. */
    static final double PRIOR_WEIGHT = 1.0;
    /** Share of a choice kernel's mass on the observed option beyond the even spread. */
    static final double CHOICE_PEAK = 0.5;

    private final List<Dimension> dimensions;
    /** Per component (observations first, then the prior) and dimension: the centre, in kernel coordinates. */
    private final double[][] centres;
    /** Per component and dimension: the width (unused for choices). */
    private final double[][] widths;
    private final double logComponentWeight;

    ParzenEstimator(List<Dimension> dimensions, List<double[]> points) {
        this.dimensions = List.copyOf(dimensions);
        int n = points.size();
        int d = dimensions.size();
        int components = n + 1;
        centres = new double[components][d];
        widths = new double[components][d];
        // Equal weights: PRIOR_WEIGHT is 1, so each component has weight 1 / components.
        logComponentWeight = -Math.log(n + PRIOR_WEIGHT);
        for (int j = 0; j < d; j++) {
            Dimension dim = dimensions.get(j);
            double low = lowOf(dim);
            double high = highOf(dim);
            double range = high - low;
            double[] mus = new double[n];
            for (int k = 0; k < n; k++) {
                mus[k] = kernelCoordinate(dim, points.get(k)[j]);
                centres[k][j] = mus[k];
            }
            double[] w = widths(mus, low, high);
            double narrowest = range / Math.min(100, 1 + components);
            for (int k = 0; k < n; k++) {
                widths[k][j] = Math.min(range, Math.max(narrowest, w[k]));
            }
            centres[n][j] = dim instanceof Dimension.Choice ? -1 : (low + high) / 2;
            widths[n][j] = range;
        }
    }

    /**
     * Bergstra et al.'s adaptive widths: each kernel as wide as the larger gap to its neighbours
     * in sorted order, the range's ends counting as neighbours of the inner points only (an
     * outermost point takes the gap on its inner side), so that sparse regions get wide kernels
     * and dense ones narrow.
     */
    static double[] widths(double[] mus, double low, double high) {
        int n = mus.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(mus[a], mus[b]));
        double[] sorted = new double[n + 2];
        sorted[0] = low;
        sorted[n + 1] = high;
        for (int i = 0; i < n; i++) {
            sorted[i + 1] = mus[order[i]];
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double left = sorted[i + 1] - sorted[i];
            double right = sorted[i + 2] - sorted[i + 1];
            double width = Math.max(left, right);
            if (n >= 2 && i == 0) {
                width = right;
            } else if (n >= 2 && i == n - 1) {
                width = left;
            }
            out[order[i]] = width;
        }
        return out;
    }

    /** The number of mixture components: one per observation plus the prior. */
    int components() {
        return centres.length;
    }

    /** The kernel width of component {@code k} in dimension {@code j} (kernel coordinates). */
    double width(int k, int j) {
        return widths[k][j];
    }

    /** log p(x), the density (or probability, for integer and choice coordinates) of {@code x}. */
    double logDensity(double[] x) {
        double[] terms = new double[components()];
        for (int k = 0; k < terms.length; k++) {
            double sum = logComponentWeight;
            for (int j = 0; j < dimensions.size(); j++) {
                sum += logKernel(k, j, x[j]);
            }
            terms[k] = sum;
        }
        return logSumExp(terms);
    }

    /** A point drawn from the mixture: a component by weight, then each coordinate from its kernel. */
    double[] sample(RandomGenerator random) {
        int k = random.nextInt(components());
        double[] x = new double[dimensions.size()];
        for (int j = 0; j < x.length; j++) {
            x[j] = sampleKernel(k, j, random);
        }
        return x;
    }

    private double logKernel(int k, int j, double value) {
        Dimension dim = dimensions.get(j);
        double mu = centres[k][j];
        double sigma = widths[k][j];
        if (dim instanceof Dimension.Choice c) {
            return Math.log(choiceProbability(c, mu, (int) value));
        }
        double low = lowOf(dim);
        double high = highOf(dim);
        double normaliser = Normal.mass((low - mu) / sigma, (high - mu) / sigma);
        if (dim instanceof Dimension.Int) {
            double bin = Normal.mass((value - 0.5 - mu) / sigma, (value + 0.5 - mu) / sigma);
            return Math.log(Math.max(bin, Double.MIN_NORMAL)) - Math.log(normaliser);
        }
        double u = kernelCoordinate(dim, value);
        return Normal.logPdf((u - mu) / sigma) - Math.log(sigma) - Math.log(normaliser);
    }

    private double sampleKernel(int k, int j, RandomGenerator random) {
        Dimension dim = dimensions.get(j);
        double mu = centres[k][j];
        if (dim instanceof Dimension.Choice c) {
            double u = random.nextDouble();
            for (int option = 0; option < c.choices() - 1; option++) {
                u -= choiceProbability(c, mu, option);
                if (u < 0) {
                    return option;
                }
            }
            return c.choices() - 1;
        }
        double low = lowOf(dim);
        double high = highOf(dim);
        double u = truncatedNormal(mu, widths[k][j], low, high, random);
        if (dim instanceof Dimension.Int i) {
            return Math.min(i.high(), Math.max(i.low(), Math.round(u)));
        }
        Dimension.Real r = (Dimension.Real) dim;
        return r.log() ? Math.min(r.high(), Math.max(r.low(), Math.exp(u))) : u;
    }

    /** Choice kernel: {@code centre} is the observed option, or -1 for the uniform prior. */
    private static double choiceProbability(Dimension.Choice c, double centre, int option) {
        double even = 1.0 / c.choices();
        if (centre < 0) {
            return even;
        }
        return (1 - CHOICE_PEAK) * even + (option == (int) centre ? CHOICE_PEAK : 0);
    }

    /**
     * N(mu, sigma) restricted to [low, high], by rejection: mu lies in the range and sigma is at
     * most its width, so at least a third of the draws land inside; after 100 misses (odds below
     * 10^-17) the draw is clamped.
     */
    private static double truncatedNormal(double mu, double sigma, double low, double high, RandomGenerator random) {
        for (int tries = 0; tries < 100; tries++) {
            double u = mu + sigma * random.nextGaussian();
            if (u >= low && u <= high) {
                return u;
            }
        }
        return Math.min(high, Math.max(low, mu));
    }

    /** Kernel coordinates: log(x) on a log scale, the value otherwise (an option's index for a choice). */
    static double kernelCoordinate(Dimension dim, double value) {
        return dim instanceof Dimension.Real r && r.log() ? Math.log(value) : value;
    }

    /** The low end of a dimension in kernel coordinates; integers extend half a unit so that each has a whole bin. */
    static double lowOf(Dimension dim) {
        if (dim instanceof Dimension.Real r) {
            return r.log() ? Math.log(r.low()) : r.low();
        }
        return dim instanceof Dimension.Int i ? i.low() - 0.5 : 0;
    }

    static double highOf(Dimension dim) {
        if (dim instanceof Dimension.Real r) {
            return r.log() ? Math.log(r.high()) : r.high();
        }
        return dim instanceof Dimension.Int i ? i.high() + 0.5 : ((Dimension.Choice) dim).choices();
    }

    static double logSumExp(double[] terms) {
        double max = Double.NEGATIVE_INFINITY;
        for (double t : terms) {
            max = Math.max(max, t);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (double t : terms) {
            sum += Math.exp(t - max);
        }
        return max + Math.log(sum);
    }
}
