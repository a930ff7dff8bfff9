package dev.nin.sweep.tpe;

/** The standard normal distribution's density and distribution function, to the precision TPE needs. */
final class Normal {

    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private Normal() {}

    /** log φ(z). */
    static double logPdf(double z) {
        return -0.5 * z * z - LOG_SQRT_2PI;
    }

    /** Φ(z) = P(Z ≤ z). */
    static double cdf(double z) {
        return 0.5 * erfc(-z / Math.sqrt(2));
    }

    /**
     * P(a < Z ≤ b), computed on the side of the tail both ends are in so that two numbers close to 1
     * are never subtracted: the mass of a bin far out in a kernel's tail stays accurate.
     */
    static double mass(double a, double b) {
        return a > 0 ? cdf(-a) - cdf(-b) : cdf(b) - cdf(a);
    }

    /**
     * The complementary error function, with a fractional error below 1.2e-7 everywhere (the
     * Chebyshev-fitted approximation of Press et al., Numerical Recipes, 2nd ed., §6.2): relative,
     * not absolute, so the far tails keep their digits too.
     */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
