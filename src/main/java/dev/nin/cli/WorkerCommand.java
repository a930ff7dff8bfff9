package dev.nin.cli;

import dev.nin.store.LeaderboardQuery;
import dev.nin.store.Store;
import dev.nin.store.SweepEntity;
import dev.nin.store.SweepStore;
import dev.nin.sweep.SweepRunner;
import dev.nin.engine.DeviceRequest;

import java.io.PrintWriter;

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

    @Override
    protected ExitCode execute() throws Exception {
        PrintWriter out = out();
        DeviceRequest request = DeviceRequest.parse(device);
        if (maxTrials < 0) {
            throw new IllegalArgumentException("--max-trials: expected 0 (no limit) or more, found " + maxTrials);
        }
        Long sweepId = null;
        if (sweepName != null) {
            SweepEntity sweep = sweeps.find(sweepName).orElseThrow(() -> new IllegalArgumentException(
                    "sweep: no sweep named '" + sweepName + "' in " + store.redactedUrl() + "; start it with ./nin sweep FILE"));
            sweepId = sweep.id;
        }
        out.printf("worker %s on %s%n", dev.nin.store.Workers.self(), store.redactedUrl());
        out.flush();
        mirror.start(out::println);
        SweepRunner.Outcome outcome;
        try {
            outcome = runner.work(sweepId, run.toOptions(request, maxTrials),
                new SweepConsole(out), line -> out.println("note: " + line));
        } finally {
            mirror.finish(java.time.Duration.ofSeconds(30));
        }
        if (sweepName != null) {
            return SweepCommand.finish(out, leaderboard, sweeps, sweepId, sweepName, outcome, 10);
        }
        out.printf("worker ran %d trials: %d completed, %d diverged, %d failed; nothing left to claim%n", outcome.trials(),
                outcome.completed(), outcome.diverged(), outcome.failed());
        SweepConsole.printEfficiency(out, outcome.efficiency());
        out.flush();
        return outcome.stoppedOnFailure() ? ExitCode.SWEEP_STOPPED : ExitCode.OK;
    }
}
