package dev.nin.cli;

import dev.nin.sweep.SweepEfficiency;
import dev.nin.sweep.TrialTiming;

import dev.nin.io.Units;
import dev.nin.store.SweepStore;
import dev.nin.store.TrialState;
import dev.nin.sweep.SweepListener;
import dev.nin.train.TrainingListener;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;

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
    public void trialEnded(SweepStore.Claim claim, Optional<TrialState> state, String detail, TrialTiming timing) {
        double seconds = timing.wall();
        finished++;
        trialSeconds += seconds;
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        out.printf(Locale.ROOT, "trial %d %s%s in %s; this worker: %d trials, elapsed %s, %.1f s per trial, "
                + "about %s left for the %d trials after it%n",
                claim.trialId(), state.map(s -> s.value).orElse("lost"), detail == null || detail.isEmpty() ? "" : " (" + detail + ")",
                Units.duration(seconds),
                finished, Units.duration(elapsed), trialSeconds / finished,
                Units.duration(remainingAfterCurrent * trialSeconds / finished), remainingAfterCurrent);
        out.printf(Locale.ROOT, "  time: %.1f s training steps, %.1f s evaluation, %.1f s memory measurement, %.1f s other;"
                + " process memory after it %s%n", timing.training(), timing.evaluation(), timing.memoryMeasurement(),
                timing.overhead(), timing.residentBytesAfter() < 0 ? "unknown" : Units.bytes(timing.residentBytesAfter()));
        out.flush();
    }

    /** The worker's efficiency line (nothing with fewer than two trials: the first is warm-up). */
    static void printEfficiency(PrintWriter out, SweepEfficiency e) {
        if (Double.isNaN(e.efficiency())) {
            return;
        }
        out.printf(Locale.ROOT, "efficiency %.1f%%: after the first trial (%.1f s, TensorFlow and data loading included),"
                + " %.1f s in TensorFlow steps (%.1f training, %.1f evaluation) of %.1f s wall"
                + " (%.1f s measuring memory not counted); training steps alone %.1f%%%n", 100 * e.efficiency(),
                e.firstTrialSeconds(), e.trainingAfterFirst() + e.evaluationAfterFirst(), e.trainingAfterFirst(),
                e.evaluationAfterFirst(), e.wallAfterFirst(), e.memoryMeasurementAfterFirst(), 100 * e.trainingShare());
        var trials = e.trials();
        long first = trials.get(0).residentBytesAfter();
        long last = trials.get(trials.size() - 1).residentBytesAfter();
        if (first > 0 && last > 0) {
            out.printf(Locale.ROOT, "process memory after trial 1: %s, after trial %d: %s%n", Units.bytes(first), trials.size(),
                    Units.bytes(last));
        }
    }

    /** Average seconds per trial this worker measured, NaN before the first. */
    double secondsPerTrial() {
        return finished == 0 ? Double.NaN : trialSeconds / finished;
    }
}
