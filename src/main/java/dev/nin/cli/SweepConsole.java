package dev.nin.cli;

import dev.nin.report.Units;
import dev.nin.store.SweepStore;
import dev.nin.sweep.SweepListener;
import dev.nin.train.TrainingListener;

import java.io.PrintWriter;
import java.util.Locale;

/** Prints a sweep's progress: trial k of N with its configuration, the epoch progress, elapsed and remaining. */
final class SweepConsole implements SweepListener {

    private final PrintWriter out;
    private final long startNanos = System.nanoTime();
    private int finished;
    private double trialSeconds;
    private int remainingAfterCurrent;

    SweepConsole(PrintWriter out) {
        this.out = out;
    }

    @Override
    public TrainingListener trialStarting(SweepStore.Claim claim, String label, int resumedAfter) {
        remainingAfterCurrent = Math.max(0, claim.plannedTrials() - claim.planIndex() - 1);
        out.printf(Locale.ROOT, "%n== trial %d of %d (id %d, attempt %d): %s%n", claim.planIndex() + 1, claim.plannedTrials(),
                claim.trialId(), claim.attempt(), label);
        out.flush();
        return ConsoleProgress.forTerminal(out);
    }

    @Override
    public void trialEnded(SweepStore.Claim claim, String state, String detail, double seconds) {
        finished++;
        trialSeconds += seconds;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        out.printf(Locale.ROOT, "trial %d %s%s in %s; this worker: %d trials, elapsed %s, %.1f s per trial, "
                + "about %s left for the %d trials after it%n",
                claim.trialId(), state, detail == null || detail.isEmpty() ? "" : " (" + detail + ")", Units.duration(seconds),
                finished, Units.duration(elapsed), trialSeconds / finished,
                Units.duration(remainingAfterCurrent * trialSeconds / finished), remainingAfterCurrent);
        out.flush();
    }

    /** Average seconds per trial this worker measured, NaN before the first. */
    double secondsPerTrial() {
        return finished == 0 ? Double.NaN : trialSeconds / finished;
    }
}
