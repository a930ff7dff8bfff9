package dev.nin.train;

/**
 * When a trial counts as stuck on the loss plateau: its training loss (per step, dropout included)
 * stays within {@code band} of ln(classes) — what a network predicting the uniform distribution
 * scores — for {@code steps} steps in a row. Such a trial stops early as {@code stalled}.
 *
 * @param steps consecutive steps on the plateau that make a trial stalled (0 = never)
 * @param band half-width of the plateau band, in nats
 */
public record StallRule(int steps, double band) {

    /** Never stall (the default). */
    public static final StallRule OFF = new StallRule(0, 0);

    /** A band that dropout's noise on the plateau stays within, while real learning leaves it within a few steps. */
    public static final double DEFAULT_BAND = dev.nin.config.Knob.STALL_BAND.defaultNumber();

    public StallRule {
        dev.nin.config.Knob.STALL_STEPS.require(steps);
        if (steps > 0) {
            // OFF carries band 0; the band only matters when the rule is on.
            dev.nin.config.Knob.STALL_BAND.require(band);
        }
    }

    public boolean enabled() {
        return steps > 0;
    }

    /** Whether a step's {@code loss} is on the plateau of a {@code classes}-way classifier. */
    public boolean onPlateau(double loss, int classes) {
        return Math.abs(loss - Math.log(classes)) <= band;
    }
}
