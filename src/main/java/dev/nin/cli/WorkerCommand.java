package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.Store;
import dev.nin.store.queue.SweepStore;
import dev.nin.sweep.SweepRunner;
import dev.nin.engine.DeviceRequest;

import java.io.PrintWriter;
import java.util.Optional;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin worker}: join sweeps from any machine that reaches the same PostgreSQL. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Claim and run pending trials (of one sweep, or of any) until none is left.")
public class WorkerCommand extends NinSubcommand {

    @Inject
    SweepStore sweeps;

    @Inject
    LeaderboardQuery leaderboard;

    @Inject
    dev.nin.store.query.SeedStatisticsQuery seeds;

    @Inject
    SweepRunner runner;

    @Inject
    dev.nin.track.MlflowMirror mirror;

    @Option(names = "--sweep", paramLabel = "NAME", description = "Only this sweep (default: any sweep with work left).")
    String sweepName;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu", description = "Device (default: ${DEFAULT-VALUE}).")
    String device;

    @picocli.CommandLine.Mixin
    TrialRunOptions run;

    @Option(names = "--max-trials", defaultValue = "0", paramLabel = "N", description = "Stop after N trials (default: 0 = no limit).")
    int maxTrials;

    @Option(names = "--wait", description = "When nothing is claimable, wait for trials (checking every "
            + SweepRunner.Waiting.POLL_SECONDS + " s; with --sweep, also for the sweep to be stored) instead of exiting: for long-lived workers in containers, Jobs and job arrays.")
    boolean waitForWork;

    @Option(names = "--idle-timeout", defaultValue = "0", paramLabel = "SECONDS", description = "With --wait: exit"
            + " (code 0) after SECONDS with nothing to claim (default: ${DEFAULT-VALUE} = wait forever).")
    long idleTimeout;

    @Override
    protected ExitCode execute() throws Exception {
        PrintWriter out = out();
        DeviceRequest request = DeviceRequest.parse(device);
        if (maxTrials < 0) {
            throw new UsageException("--max-trials: expected 0 (no limit) or more, found " + maxTrials);
        }
        if (idleTimeout < 0) {
            throw new UsageException("--idle-timeout: expected 0 (wait forever) or more seconds, found " + idleTimeout);
        }
        if (idleTimeout > 0 && !waitForWork) {
            throw new UsageException("--idle-timeout: expected with --wait, found without it; add --wait");
        }
        SweepRunner.Waiting waiting = waitForWork ? SweepRunner.Waiting.upTo(java.time.Duration.ofSeconds(idleTimeout))
                : SweepRunner.Waiting.NONE;
        Long sweepId = null;
        if (sweepName != null) {
            Optional<SweepStore.StoredSweep> sweep = waitForWork ? awaitSweep(out, waiting) : sweeps.find(sweepName);
            if (sweep.isEmpty() && waitForWork) {
                out.printf("no sweep named '%s' was stored within %d s; stopping%n", sweepName, idleTimeout);
                return ExitCode.OK;
            }
            sweepId = sweep.orElseThrow(() -> new UsageException("sweep: no sweep named '" + sweepName + "' in "
                    + store.redactedUrl() + "; start it with ./nin sweep FILE (or add --wait to wait for it)")).id();
        }
        out.printf("worker %s on %s%n", dev.nin.store.Workers.self(), store.redactedUrl());
        out.flush();
        mirror.start(out::println);
        SweepRunner.Outcome outcome;
        try {
            outcome = runner.work(sweepId, run.toOptions(request, maxTrials, waiting),
                new SweepConsole(out), line -> out.println("note: " + line));
        } finally {
            mirror.finish(java.time.Duration.ofSeconds(30));
        }
        if (sweepName != null) {
            mirror.address("sweep", sweepId).ifPresent(a -> out.printf("MLflow: sweep %s at %s%n", sweepName, a));
            return SweepConsole.finish(out, leaderboard, seeds, sweeps, sweepId, sweepName, outcome, 10,
                    new ComparisonOptions());
        }
        out.printf("worker ran %d trials: %d completed, %d diverged, %d failed; nothing left to claim%n", outcome.trials(),
                outcome.completed(), outcome.diverged(), outcome.failed());
        SweepConsole.printEfficiency(out, outcome.efficiency());
        out.flush();
        return outcome.stoppedOnFailure() ? ExitCode.SWEEP_STOPPED : ExitCode.OK;
    }

    /**
     * The named sweep, waiting for it to be stored (a Job or job array may start before
     * {@code ./nin sweep FILE --enqueue-only} runs); empty when the idle timeout passed first.
     */
    private Optional<SweepStore.StoredSweep> awaitSweep(PrintWriter out, SweepRunner.Waiting waiting) {
        long start = System.nanoTime();
        Optional<SweepStore.StoredSweep> sweep = sweeps.find(sweepName);
        if (sweep.isEmpty()) {
            out.printf("waiting for sweep %s to be stored in %s%n", sweepName, store.redactedUrl());
            out.flush();
        }
        while (sweep.isEmpty()) {
            boolean timedOut = !waiting.idleTimeout().isZero()
                    && java.time.Duration.ofNanos(System.nanoTime() - start).compareTo(waiting.idleTimeout()) >= 0;
            if (timedOut || !SweepRunner.sleep(SweepRunner.Waiting.POLL)) {
                break;
            }
            sweep = sweeps.find(sweepName);
        }
        return sweep;
    }
}
