package dev.nin.cli;

import dev.nin.sweep.SweepEfficiency;
import dev.nin.sweep.TrialTiming;

import dev.nin.io.Units;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.query.SeedStatisticsQuery;
import dev.nin.store.queue.SweepStore;
import dev.nin.sweep.PlannedTrial;
import dev.nin.sweep.SweepEstimate;
import dev.nin.sweep.SweepFile;
import dev.nin.sweep.SweepRunner;
import dev.nin.store.TrialState;
import dev.nin.sweep.SweepListener;
import dev.nin.train.TrainingListener;

import java.io.PrintWriter;
import java.util.List;
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

    /** The plan in one or two lines: trials, configurations, seeds, strategy, and the FLOPs it amounts to. */
    static void printPlan(PrintWriter out, SweepFile sweep, List<PlannedTrial> plan, SweepEstimate estimate) {
        out.printf(Locale.ROOT, "sweep %s: %d trials (%d configurations x %d seeds, %s), %.3g PFLOP to compute (%.3g training,"
                + " %.3g evaluation)%s%n", sweep.name(), estimate.trials(), estimate.trials() / sweep.seeds().size(),
                sweep.seeds().size(), sweep.strategy().value(), estimate.totalFlops() / 1e15, estimate.trainingFlops() / 1e15,
                estimate.evaluationFlops() / 1e15, sweep.strategy() == SweepFile.Strategy.TPE ? " (estimated from the start-up draws)" : "");
        if (sweep.strategy() == SweepFile.Strategy.TPE) {
            out.printf(Locale.ROOT, "tpe: %d start-up trials drawn at random, then %d model-guided, each decided when a worker asks"
                    + " (gamma %s, %d candidates per suggestion)%n", plan.size(), sweep.budget() - plan.size(),
                    sweep.tpe().gamma(), sweep.tpe().candidates());
        }
    }

    /** Where the sweep was stored and what it holds now; says so when --new joined an identical stored sweep. */
    static void printEnqueued(PrintWriter out, SweepFile sweep, SweepStore.Enqueued enqueued, boolean fresh, String storeUrl) {
        enqueued.renamedOld().ifPresent(old -> out.println("the previous sweep of this name is kept as " + old));
        if (fresh && enqueued.joined()) {
            // The same file again joins its sweep (so workers started with the same command share
            // one); say so rather than let --new look obeyed.
            out.printf("--new: the stored sweep %s has this very content, so this run joins it; to run it again from"
                    + " scratch, change the file's name: field%n", sweep.name());
        }
        if (sweep.strategy() == SweepFile.Strategy.TPE) {
            out.printf("stored in %s: budget %d, %d trials asked so far; workers create the rest as they ask%n",
                    storeUrl, sweep.budget(), enqueued.existing());
        } else {
            out.printf("stored in %s: %d new trials, %d already there%n", storeUrl, enqueued.added(), enqueued.existing());
        }
    }

    /** A dry run's list of the planned trials (and, for TPE, the asks to come). */
    static void printDryRun(PrintWriter out, SweepFile sweep, List<PlannedTrial> plan) {
        for (PlannedTrial trial : plan) {
            out.printf("  %3d  %s%n", trial.index() + 1, trial.label());
        }
        if (sweep.strategy() == SweepFile.Strategy.TPE) {
            out.printf("  %3d-%d  model-guided: decided from the trials before them%n", plan.size() + 1, sweep.budget());
        }
        out.println("dry run: nothing stored, nothing run");
    }

    /** Prints what happened and the leaderboard; the exit code says whether the sweep stopped on a failure. */
    static ExitCode finish(PrintWriter out, LeaderboardQuery leaderboard, SeedStatisticsQuery seeds, SweepStore sweeps,
            long sweepId, String name, SweepRunner.Outcome outcome, int top, ComparisonOptions comparison) {
        out.printf("%nthis worker ran %d trials: %d completed, %d diverged, %d failed, %d stalled, %d pruned%s%n",
                outcome.trials(), outcome.completed(), outcome.diverged(), outcome.failed(), outcome.stalled(), outcome.pruned(),
                outcome.lost() > 0 ? ", " + outcome.lost() + " taken over by another worker" : "");
        printEfficiency(out, outcome.efficiency());
        out.println("sweep " + name + " now: " + sweeps.describeStates(sweepId));
        Leaderboard.print(out, leaderboard, seeds, sweeps.find(name).orElseThrow(), top, comparison);
        if (outcome.stoppedOnFailure()) {
            out.println("stopped at the first failed trial (--fail-fast); rerun to go on");
            return ExitCode.SWEEP_STOPPED;
        }
        return ExitCode.OK;
    }
}
