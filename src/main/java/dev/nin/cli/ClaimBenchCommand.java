package dev.nin.cli;

import dev.nin.store.queue.SweepStore;
import dev.nin.config.UsageException;
import dev.nin.store.queue.ClaimBenchmark;
import dev.nin.store.Store;
import dev.nin.store.queue.SweepAsks;
import dev.nin.sweep.SweepParser;
import dev.nin.sweep.TpeSampler;
import dev.nin.sweep.tpe.Tpe;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin bench claims}: how many claims per second one PostgreSQL hands out to concurrent workers (issue 15). */
@Command(name = "claims", mixinStandardHelpOptions = true,
        description = "Measure the coordination limit: concurrent claimers, each with its own connection, claim and "
                + "complete the trials of a throwaway sweep (trials that take no time) through nin's real claim; prints "
                + "claims/s, p50/p99 claim latency and the check that every trial was completed exactly once, also with "
                + "some claimers killed and their leases expiring. The sweep is deleted afterwards.")
public class ClaimBenchCommand extends NinSubcommand {

    @Inject
    ClaimBenchmark benchmark;

    @Option(names = "--claimers", defaultValue = ClaimBenchmark.CLAIMERS_DEFAULT, split = ",", paramLabel = "N",
            description = "Counts of concurrent claimers, comma-separated, one run (or two) each, 1 to "
                    + ClaimBenchmark.CLAIMERS_MAX + " (default: ${DEFAULT-VALUE}).")
    List<Integer> claimers;

    @Option(names = "--trials", paramLabel = "N",
            description = "Trials of each run's sweep, 1 to 1,000,000 (default: " + ClaimBenchmark.TRIALS_DEFAULT + ", with --asks "
                    + ClaimBenchmark.ASKED_TRIALS_DEFAULT + ").")
    Integer trials;

    @Option(names = "--asks", description = "Each run's sweep is a TPE one that starts empty: a claimer with nothing to claim"
            + " asks it for a trial (TPE's model fit on every earlier trial, under the sweep's lock), then tells it a synthetic"
            + " accuracy and ends the trial. Measures what model-guided asks cost the store; more than 10 trials.")
    boolean asks;

    @Option(names = "--kill-fraction", defaultValue = "" + ClaimBenchmark.KILL_FRACTION_DEFAULT, paramLabel = "F",
            description = "Besides a run where no claimer dies, one where this fraction of the claimers stop while holding a "
                    + "trial (0 to " + ClaimBenchmark.KILL_FRACTION_MAX + "; 0: no such run; default: ${DEFAULT-VALUE}).")
    double killFraction;

    @Option(names = "--lease-seconds", defaultValue = "" + ClaimBenchmark.LEASE_SECONDS_DEFAULT, paramLabel = "S",
            description = "The claims' lease in the kill runs, 1 to " + ClaimBenchmark.LEASE_SECONDS_MAX + " (runs without "
                    + "kills use nin's own, " + Store.LEASE_SECONDS + " s; default: ${DEFAULT-VALUE}).")
    int leaseSeconds;

    @Override
    protected ExitCode execute() {
        ClaimBenchmark.Options options = new ClaimBenchmark.Options(claimers,
                trials != null ? trials : asks ? ClaimBenchmark.ASKED_TRIALS_DEFAULT : ClaimBenchmark.TRIALS_DEFAULT, killFraction,
                leaseSeconds);
        SweepAsks.Sampler sampler = asks ? askedSweep(options.trials()) : null;
        PrintWriter out = out();
        int most = options.claimers().stream().mapToInt(Integer::intValue).max().orElseThrow();
        out.printf(Locale.ROOT, "nin bench claims%s: %s claimers; %,d trials a run, taking no time; kill fraction %s%n",
                asks ? " --asks (TPE asks, 10 start-up, then model-guided)" : "",
                String.join(", ", options.claimers().stream().map(String::valueOf).toList()), options.trials(),
                options.killFraction() == 0 ? "0 only" : "0 and " + fraction(options.killFraction()) + " (lease "
                        + options.leaseSeconds() + " s in the kill runs, " + Store.LEASE_SECONDS + " s otherwise)");
        int cores = Runtime.getRuntime().availableProcessors();
        out.printf(Locale.ROOT, "machine: %s, %d cores (as Java sees them)%n", cpuModel(), cores);
        out.flush();
        ClaimBenchmark.Server server = benchmark.server();
        out.printf(Locale.ROOT, "PostgreSQL %s at %s%s: max_connections %d (%d reserved for superusers, %d in use)%n",
                server.version(), server.url(), server.embedded() ? " (embedded)" : "", server.maxConnections(),
                server.reserved(), server.inUse());
        benchmark.checkConnections(server, most);
        out.println(server.local()
                ? "note: the claimers and the server share this machine's " + cores + " cores, so these figures are a lower "
                        + "bound for a server with CPUs of its own"
                : "note: the server is on another machine; if it shares CPUs with other work, these figures are a lower bound");
        out.println("a claim is SweepStore.claim on the claimer's own connection: the check for dead workers' trials, then "
                + "SELECT ... FOR UPDATE SKIP LOCKED and the UPDATE, one transaction; each claimed trial is then ended at "
                + "once with the recorder's end statement. Latency is the claim's; claims/s counts claim and end together.");
        if (asks) {
            out.println("with --asks, a claim that finds nothing asks the sweep instead (SweepAsks.ask under the sweep's lock: "
                    + "the history read, TPE's fit, the trial created, its suggestion recorded, the trial claimed; one "
                    + "transaction), and the latency is the claim's and the ask's together.");
        }
        int running = benchmark.runningTrials();
        if (running > 0) {
            out.printf(Locale.ROOT, "warning: %d trials are running in this store: their workers slow the figures down, and "
                    + "a worker without --sweep may claim the benchmark's trials (it fails them; they are deleted all the "
                    + "same). A store of its own is best: NIN_HOME=$(mktemp -d) ./nin bench claims%n", running);
        }
        List<String> leftovers = benchmark.leftoverSweeps();
        if (!leftovers.isEmpty()) {
            out.printf(Locale.ROOT, "note: sweeps named like the benchmark's are in the store (left by one that was killed?): "
                    + "%s%n", String.join(", ", leftovers));
        }
        out.flush();

        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        List<ClaimBenchmark.Run> runs = new ArrayList<>();
        int total = options.claimers().size() * options.killFractions().size();
        for (int n : options.claimers()) {
            for (double fraction : options.killFractions()) {
                int killed = options.killed(n, fraction);
                int lease = killed == 0 ? Store.LEASE_SECONDS : options.leaseSeconds();
                out.printf(Locale.ROOT, "run %d of %d: %d claimers, %s, lease %d s%n", runs.size() + 1, total, n,
                        killed == 0 ? "none killed" : killed + " killed (each stops holding a trial)", lease);
                out.flush();
                ClaimBenchmark.Run run = benchmark.run(ClaimBenchmark.SWEEP_PREFIX + stamp + "-" + (runs.size() + 1), n,
                        options.trials(), fraction, killed, lease, sampler, line -> {
                            out.println("  " + line);
                            out.flush();
                        });
                runs.add(run);
                out.printf(Locale.ROOT, "  %,d claims in %.1f s: %,.0f claims/s, p50 %s ms, p99 %s ms; exactly once: %s;"
                        + " reclaimed after lease expiry: %d (%d held by killed claimers%s); empty claims (not timed): %,d%n",
                        run.claims(), run.seconds(), run.claimsPerSecond(), millis(run.p50Millis()), millis(run.p99Millis()),
                        run.exactlyOnce() ? "yes" : "NO: " + run.problem(), run.reclaimed(), run.killed(),
                        run.refused() == 0 ? "" : ", " + run.refused() + " ends refused: their claimer was slower than the lease",
                        run.emptyPolls());
                out.flush();
            }
        }

        out.println();
        out.printf(Locale.ROOT, "%8s %5s %9s %8s %9s %8s %8s %12s %9s%n", "claimers", "kill", "trials", "seconds", "claims/s",
                "p50 ms", "p99 ms", "exactly-once", "reclaimed");
        for (ClaimBenchmark.Run run : runs) {
            out.printf(Locale.ROOT, "%8d %5s %9d %8.1f %9.0f %8s %8s %12s %9d%n", run.claimers(), fraction(run.killFraction()),
                    run.trials(), run.seconds(), run.claimsPerSecond(), millis(run.p50Millis()), millis(run.p99Millis()),
                    run.exactlyOnce() ? "yes" : "no", run.reclaimed());
        }
        out.println();
        out.println("The benchmark's sweeps and their trials are deleted: the store is left as it was found (only its id "
                + "sequences moved on).");
        out.flush();
        List<ClaimBenchmark.Run> failed = runs.stream().filter(r -> !r.exactlyOnce()).toList();
        if (!failed.isEmpty()) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": error: exactly once did not hold in " + failed.size()
                    + " run(s): " + String.join("; ", failed.stream().map(r -> r.claimers() + " claimers, kill "
                            + fraction(r.killFraction()) + ": " + r.problem()).toList()));
            spec.commandLine().getErr().flush();
            return ExitCode.FAILURE;
        }
        return ExitCode.OK;
    }

    /**
     * The sampler of the benchmark's asked sweeps: TPE over four axes of the four kinds (log, uniform,
     * integer, choice) with the default settings, as a sweep file would give it.
     */
    static SweepAsks.Sampler askedSweep(int budget) {
        if (budget <= Tpe.Settings.STARTUP_TRIALS_DEFAULT) {
            throw new UsageException("--trials: expected more than " + Tpe.Settings.STARTUP_TRIALS_DEFAULT
                    + " with --asks (the start-up draws come first), found " + budget);
        }
        String yaml = """
                name: bench-asks
                base: {epochs: 1, resize: 67}
                data: {validation: 100}
                strategy: tpe
                budget: %d
                sampler_seed: 1
                axes:
                  lr: {log_uniform: [0.001, 1.0]}
                  momentum: {uniform: [0.0, 0.99]}
                  batch: {int_uniform: [16, 256]}
                  variant: [standard, nin-bn]
                """.formatted(budget);
        return new TpeSampler(SweepParser.parse("(nin bench claims --asks)", yaml));
    }

    private static String fraction(double f) {
        return f == 0 ? "0" : String.format(Locale.ROOT, "%.2f", f).replaceAll("0+$", "");
    }

    private static String millis(double ms) {
        if (Double.isNaN(ms)) {
            return "-";
        }
        return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
    }

    /** The CPU's model name, from /proc/cpuinfo (Linux), else what the JVM says of the architecture. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: the architecture below.
        }
        return System.getProperty("os.arch");
    }
}
