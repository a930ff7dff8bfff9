package dev.nin.train;

import java.util.OptionalLong;

/**
 * When a run left the ln(classes) loss plateau: the first training step of {@link #RUN_DEFAULT}
 * consecutive steps whose loss is below ln(classes) − band. A run of steps, not one step: dropout's
 * noise dips single steps below the band while the network still predicts the uniform distribution.
 * Steps are counted from 1 over the whole run ((epoch − 1) × steps per epoch + step in the epoch).
 * Feed it every step's loss in order; it answers once.
 */
public final class PlateauExit {

    /** Consecutive steps below the band that count as having left the plateau. */
    public static final int RUN_DEFAULT = 20;

    private final double threshold;
    private final int run;
    private long firstBelow = -1;
    private int below;
    private boolean answered;

    /**
     * @param band half-width of the plateau band in nats ({@code stall.band}; its default when the run set none)
     * @param classes classes of the classifier: the plateau is at ln(classes)
     * @param run consecutive steps below the band that count as having left
     */
    public PlateauExit(double band, int classes, int run) {
        if (!(band > 0) || run < 1 || classes < 2) {
            throw new IllegalArgumentException("plateau exit: expected band > 0, run >= 1 and classes >= 2, found band " + band
                    + ", run " + run + ", classes " + classes);
        }
        this.threshold = Math.log(classes) - band;
        this.run = run;
    }

    /** A tracker for a run stopped by, or measured against, {@code stall}: its band, or the default band when it is off. */
    public static PlateauExit of(StallRule stall, int classes) {
        return new PlateauExit(stall.enabled() ? stall.band() : StallRule.DEFAULT_BAND, classes, RUN_DEFAULT);
    }

    /**
     * One step's loss; returns the step the run left the plateau at, once, on the step that completes
     * the run below the band. A NaN loss (diverged) breaks a run.
     */
    public OptionalLong observe(long step, double loss) {
        if (answered) {
            return OptionalLong.empty();
        }
        if (loss < threshold) {
            if (below == 0 || step != firstBelow + below) {
                firstBelow = step;
                below = 0;
            }
            below++;
            if (below == run) {
                answered = true;
                return OptionalLong.of(firstBelow);
            }
        } else {
            below = 0;
        }
        return OptionalLong.empty();
    }
}
