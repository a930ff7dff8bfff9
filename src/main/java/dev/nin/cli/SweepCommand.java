package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.io.Units;
import dev.nin.app.NinServices;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.store.query.LeaderboardQuery;
import dev.nin.store.Store;
import dev.nin.store.queue.SweepStore;
import dev.nin.sweep.PlannedTrial;
import dev.nin.sweep.SweepEstimate;
import dev.nin.sweep.StoreMapping;
import dev.nin.sweep.SweepFile;
import dev.nin.sweep.SweepParser;
import dev.nin.sweep.SweepPlanner;
import dev.nin.sweep.SweepRunner;
import dev.nin.train.PrecisionProbe;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nin sweep FILE}: plan, store and run a sweep; running it again resumes. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Plan the trials of a sweep file, store them in PostgreSQL and run them; rerunning resumes.")
public class SweepCommand extends NinSubcommand {

    @Inject
    NinServices services;

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

    @Parameters(paramLabel = "FILE", description = "The sweep file (YAML), e.g. sweeps/quick.yaml.")
    Path file;

    @Option(names = "--new", description = "The store has a sweep of this name with other content: keep it as NAME~ID and start afresh."
            + " With the same content it joins the stored sweep, and says so.")
    boolean fresh;

    @Option(names = "--extend", description = "The store has a sweep of this name with other content: add this file's new trials to it.")
    boolean extend;

    @Option(names = "--retry-failed", description = "Run the sweep's failed and diverged trials again.")
    boolean retryFailed;

    @picocli.CommandLine.Mixin
    TrialRunOptions run;

    @Option(names = "--dry-run", description = "Print the plan and the time estimate; store and run nothing.")
    boolean dryRun;

    @Option(names = "--skip-estimate", description = "Do not measure this machine's speed before starting.")
    boolean skipEstimate;

    @Option(names = "--enqueue-only", description = "Store the sweep and its pending trials and train nothing here:"
            + " workers elsewhere (./nin worker --wait, a compose worker service, a Kubernetes Job, a Slurm array) run them."
            + " Implies --skip-estimate (this machine's speed says nothing of theirs).")
    boolean enqueueOnly;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Overrides the file's device.")
    String device;

    @Option(names = "--top", defaultValue = "10", paramLabel = "N", description = "Leaderboard rows (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--plan-limit", paramLabel = "N", description = "Refuse a sweep that plans more than N trials"
            + " (default: " + SweepPlanner.DEFAULT_MAX_TRIALS + "; counted before any trial is built).")
    long planLimit = SweepPlanner.DEFAULT_MAX_TRIALS;

    @Override
    protected ExitCode execute() throws Exception {
        // Flags first, then the file, then the plan's size: all before the store is opened.
        if (fresh && extend) {
            throw new UsageException("--new and --extend: expected one of them, found both");
        }
        if (enqueueOnly && dryRun) {
            throw new UsageException("--enqueue-only and --dry-run: expected one of them, found both");
        }
        Leaderboard.checkTop(top);
        if (planLimit < 1) {
            throw new UsageException("--plan-limit: expected 1 or more trials, found " + planLimit);
        }
        PrintWriter out = out();
        // Read once: the text parsed is the text stored, byte for byte.
        String content = SweepParser.readText(file);
        SweepFile sweep = SweepParser.parse(file.toString(), content);
        DeviceRequest request = DeviceRequest.parse(device == null ? sweep.device() : device);
        List<PlannedTrial> plan = SweepPlanner.plan(sweep, planLimit, file.toString());
        SweepEstimate estimate = SweepEstimate.of(plan, sweep);
        SweepConsole.printPlan(out, sweep, plan, estimate);
        out.flush();
        if (!skipEstimate && !enqueueOnly) {
            RuntimeInfo runtime = services.tensorflow(request, line -> out.println("note: " + line));
            PrecisionProbe precisions = new PrecisionProbe(services.home(), runtime, sweep.threads(),
                    line -> out.println("note: " + line));
            double gflops = SweepEstimate.measureGflops(sweep, plan, runtime, sweep.threads(), precisions);
            out.printf(Locale.ROOT, "expected time on %s: about %s (training measured here at %.1f GFLOP/s)%n", runtime.device(),
                    Units.duration(estimate.seconds(gflops)), gflops);
            out.flush();
        }
        if (dryRun) {
            SweepConsole.printDryRun(out, sweep, plan);
            return ExitCode.OK;
        }
        SweepStore.Mode mode = fresh ? SweepStore.Mode.NEW : extend ? SweepStore.Mode.EXTEND : SweepStore.Mode.SAME_ONLY;
        SweepStore.Enqueued enqueued = sweeps.enqueue(StoreMapping.definition(sweep, file.toString(), content),
                StoreMapping.trials(sweep, plan), mode);
        SweepConsole.printEnqueued(out, sweep, enqueued, fresh, store.redactedUrl());
        if (retryFailed) {
            out.printf("%d failed or diverged trials will run again%n", sweeps.retryFailed(enqueued.sweepId()));
        }
        if (enqueueOnly) {
            out.println("sweep " + sweep.name() + " now: " + sweeps.describeStates(enqueued.sweepId()));
            out.printf("enqueued only: nothing trains here; workers run it (./nin worker --sweep %s --wait), and"
                    + " ./nin leaderboard %s shows how it goes%n", sweep.name(), sweep.name());
            return ExitCode.OK;
        }
        out.flush();
        SweepConsole console = new SweepConsole(out);
        mirror.start(out::println);
        SweepRunner.Outcome outcome;
        try {
            outcome = runner.work(enqueued.sweepId(), run.toOptions(request, 0, SweepRunner.Waiting.NONE), console,
                line -> out.println("note: " + line));
        } finally {
            mirror.finish(java.time.Duration.ofSeconds(30));
        }
        mirror.address("sweep", enqueued.sweepId()).ifPresent(a -> out.printf("MLflow: sweep %s at %s%n", sweep.name(), a));
        return SweepConsole.finish(out, leaderboard, seeds, sweeps, enqueued.sweepId(), sweep.name(), outcome, top,
                new ComparisonOptions());
    }
}
