package dev.nin.sweep;

import dev.nin.config.Metric;

import dev.nin.store.queue.PruningStore;
import dev.nin.store.queue.SweepAsks;
import dev.nin.store.Store;
import dev.nin.train.EpochGate;

import dev.nin.engine.ProcessMemory;
import dev.nin.train.TrainingEvent;
import dev.nin.train.TrainingListener;


import dev.nin.app.NinServices;
import dev.nin.data.DataOptions;
import dev.nin.data.FashionMnist;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.store.queue.SweepStore;
import dev.nin.store.TrialState;
import dev.nin.store.Workers;
import dev.nin.track.MlflowMirror;
import dev.nin.train.Checkpoints;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingResult;
import dev.nin.trial.TrialExecution;
import dev.nin.trial.TrialJob;
import dev.nin.trial.TrialOutcome;



import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A sweep worker: claims trials from the store one at a time and trains them, until none is left.
 * TensorFlow and the dataset are loaded once per process and shared by every trial; each trial
 * gets its own graph and session. A diverging or failing trial is recorded as such and the
 * sweep goes on (unless fail-fast); an interrupted trial resumes from its last checkpoint.
 */
@ApplicationScoped
public class SweepRunner {

    /**
     * How a worker behaves.
     *
     * @param saveModels export every completed trial as a SavedModel under the nin home's models/
     * @param measureMemory measure each distinct network's training and prediction memory (in fresh
     *        processes, once per network: trials with the same network share the figures)
     * @param waiting what the worker does when nothing is claimable
     */
    public record Options(DeviceRequest device, boolean failFast, int maxTrials, boolean saveModels, boolean measureMemory,
            Waiting waiting) {
        public Options {
            java.util.Objects.requireNonNull(waiting, "waiting");
        }
    }

    /**
     * What a worker does when nothing is claimable: stop ({@link #NONE}), or poll the store every
     * {@link #POLL} until {@code idleTimeout} has passed with nothing to claim (zero: wait forever),
     * as long-lived workers in containers, Jobs and job arrays do.
     */
    public record Waiting(boolean enabled, Duration idleTimeout) {
        /** Stop as soon as nothing is claimable. */
        public static final Waiting NONE = new Waiting(false, Duration.ZERO);
        /** How often a waiting worker asks the store for work: one cheap query, so a few seconds' latency at most. */
        public static final long POLL_SECONDS = 2;
        /** {@link #POLL_SECONDS} as a duration. */
        public static final Duration POLL = Duration.ofSeconds(POLL_SECONDS);

        public Waiting {
            if (idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idle timeout: expected 0 (forever) or more seconds, found " + idleTimeout.toSeconds());
            }
        }

        /** Waits for work, giving up after {@code idleTimeout} with nothing claimable (zero: never). */
        public static Waiting upTo(Duration idleTimeout) {
            return new Waiting(true, idleTimeout);
        }
    }

    /** What a worker did. */
    public record Outcome(int completed, int diverged, int failed, int lost, int stalled, int pruned,
            boolean stoppedOnFailure, SweepEfficiency efficiency) {
        public int trials() {
            return completed + diverged + failed + lost + stalled + pruned;
        }
    }

    private final NinServices services;
    private final SweepStore sweeps;
    private final TrialExecution execution;
    private final MlflowMirror mirror;
    private final Store store;
    private final SweepAsks asks;
    /** Parsed sweep files by content hash: --extend changes a stored sweep's file under a running worker. */
    private final java.util.Map<String, SweepFile> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    @Inject
    public SweepRunner(NinServices services, SweepStore sweeps, SweepAsks asks, TrialExecution execution, MlflowMirror mirror,
            Store store) {
        this.store = store;
        this.asks = asks;
        this.services = services;
        this.sweeps = sweeps;
        this.execution = execution;
        this.mirror = mirror;
    }

    /**
     * Deletes the checkpoints of trials that ended for good: a kill after a trial's last commit and
     * before its checkpoints were deleted leaves them, and nothing else ever would.
     */
    private void deleteLeftoverCheckpoints() {
        java.util.Map<Long, Checkpoints> found = Checkpoints.under(services.home().resolve("checkpoints"));
        for (long trial : sweeps.endedForGood(found.keySet())) {
            found.get(trial).deleteAll();
        }
    }

    /** Works on {@code sweepId} (or any sweep when null) until no trial can be claimed. */
    public Outcome work(Long sweepId, Options options, SweepListener listener, Consumer<String> notices) {
        int completed = 0;
        int diverged = 0;
        int failed = 0;
        int lost = 0;
        int stalled = 0;
        int pruned = 0;
        RuntimeInfo runtime = null;
        String worker = Workers.self();
        SweepEfficiency efficiency = new SweepEfficiency();
        long firstEnded = 0;
        deleteLeftoverCheckpoints();
        long idleSince = 0;
        boolean syncDue = true;
        while (options.maxTrials() <= 0 || completed + diverged + failed + lost + stalled + pruned < options.maxTrials()) {
            if (syncDue) {
                // A trial boundary: whatever MLflow missed so far goes now, off this thread.
                mirror.requestSync();
                syncDue = false;
            }
            Optional<SweepStore.Claim> next = sweeps.claim(sweepId, worker);
            if (next.isEmpty()) {
                next = ask(sweepId, worker);
            }
            if (next.isEmpty()) {
                if (!options.waiting().enabled()) {
                    break;
                }
                long now = System.nanoTime();
                if (idleSince == 0) {
                    idleSince = now;
                    Duration timeout = options.waiting().idleTimeout();
                    notices.accept("nothing to claim; waiting for trials" + (timeout.isZero() ? ""
                            : " (for up to " + timeout.toSeconds() + " s)"));
                }
                Duration idle = Duration.ofNanos(now - idleSince);
                if (!options.waiting().idleTimeout().isZero() && idle.compareTo(options.waiting().idleTimeout()) >= 0) {
                    notices.accept("idle for " + idle.toSeconds() + " s; stopping");
                    break;
                }
                if (!sleep(Waiting.POLL)) {
                    break;
                }
                continue;
            }
            idleSince = 0;
            syncDue = true;
            SweepStore.Claim claim = next.get();
            TrialRun trial;
            try {
                if (runtime == null) {
                    runtime = services.tensorflow(options.device(), notices);
                }
                trial = run(claim, runtime, listener, notices, options);
            } catch (RuntimeException | Error e) {
                // Training's own failures are recorded on the trial; what escapes is this worker's
                // (no dataset, no TensorFlow, the store gone): the trial goes back to the queue now.
                giveBack(claim, worker, e);
                throw e;
            }
            if (firstEnded == 0) {
                firstEnded = System.nanoTime();
            }
            efficiency.add(trial.timing(), (System.nanoTime() - firstEnded) / 1e9);
            if (trial.state().isEmpty()) {
                lost++; // another worker reclaimed it: it is that worker's to count
                continue;
            }
            switch (trial.state().get()) {
                case COMPLETED -> completed++;
                case DIVERGED -> diverged++;
                case STALLED -> stalled++;
                case PRUNED -> pruned++;
                default -> {
                    failed++;
                    if (options.failFast()) {
                        return new Outcome(completed, diverged, failed, lost, stalled, pruned, true, efficiency);
                    }
                }
            }
        }
        return new Outcome(completed, diverged, failed, lost, stalled, pruned, false, efficiency);
    }

    /**
     * Gives {@code claim}'s trial back ({@link SweepStore#release}) after {@code failure} stopped this
     * worker before the trial ended.
     */
    private void giveBack(SweepStore.Claim claim, String worker, Throwable failure) {
        String why = failure.getMessage() == null ? failure.toString() : failure.getMessage().lines().findFirst().orElse("");
        try {
            sweeps.release(claim, "worker " + worker + " could not go on with it: " + why);
        } catch (RuntimeException e) {
            failure.addSuppressed(e); // the store is unreachable: its process check will mark the trial later
        }
    }

    /**
     * Nothing stored is claimable: asks a TPE sweep (this one, or any with budget left) for a new
     * trial, claimed for this worker in the same transaction.
     */
    private Optional<SweepStore.Claim> ask(Long sweepId, String worker) {
        for (long id : asks.askable(sweepId)) {
            Optional<SweepStore.Claim> asked = asks.ask(id, worker, new TpeSampler(sweepFile(id)));
            if (asked.isPresent()) {
                return asked;
            }
        }
        return Optional.empty();
    }

    /** Sleeps {@code pause}; false when the thread was interrupted (the worker is asked to stop). */
    public static boolean sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How a trial ended (empty: its claim was lost to another worker) and where its time went. */
    private record TrialRun(Optional<TrialState> state, TrialTiming timing) {}

    /** Adds up the time a trial spends inside training steps (each step, so a stopped epoch counts) and evaluation. */
    private static final class StepTime implements TrainingListener {
        double training;
        double evaluation;

        @Override
        public void on(TrainingEvent event) {
            if (event instanceof TrainingEvent.BatchEnded batch) {
                training += batch.seconds();
            } else if (event instanceof TrainingEvent.EpochEnded ended) {
                evaluation += ended.metrics().evaluationSeconds();
            }
        }
    }

    private TrialRun run(SweepStore.Claim claim, RuntimeInfo runtime, SweepListener listener, Consumer<String> notices,
            Options options) {
        long start = System.nanoTime();
        StepTime steps = new StepTime();
        SweepStore.Training trial = sweeps.training(claim.trialId());
        ModelSpec spec = trial.model();
        TrainConfig config = trial.config();
        SweepFile sweep = sweepFile(claim.sweepId());
        EpochGate gate = gate(sweep, claim, config.epochs(), notices);
        DataOptions data = trial.data();
        Checkpoints checkpoints = new Checkpoints(services.home().resolve("checkpoints").resolve("trial-" + trial.trialId()));
        int resumeAfter = 0;
        if (claim.recordedEpochs() > 0) {
            if (checkpoints.has(claim.recordedEpochs())) {
                resumeAfter = claim.recordedEpochs();
            } else {
                // Its checkpoints are on another machine or gone: start over, without the old epochs.
                sweeps.forgetEpochsAfter(trial.trialId(), 0);
                checkpoints.deleteAll();
            }
        }
        FashionMnist dataset = services.dataset(Optional.empty(), notices);
        TrialJob job = TrialJob.builder().setEntry(new TrialJob.Entry.Claimed(trial.trialId(), claim.attempt()))
                .setModel(spec).setConfig(config).setData(data, data.apply(dataset, DataOptions.SPLIT_SEED))
                .setRuntime(runtime).optMeasureMemory(options.measureMemory()).optSaveModel(options.saveModels())
                .optCheckpoints(checkpoints, resumeAfter).optGate(gate).build();
        int resumed = resumeAfter;
        TrialOutcome outcome = execution.run(job, new TrialExecution.Observer() {
            @Override
            public TrainingListener training(long trialId) {
                return listener.trialStarting(claim, trial.configuration() + " seed=" + config.seed(), resumed).andThen(steps);
            }
        }, notices);
        Optional<TrialState> state = outcome.state();
        String detail = outcome.detail() == null ? "" : outcome.detail();
        if (outcome.ending() == TrialOutcome.Ending.TRAINED && outcome.result().status() == TrainingResult.Status.STALLED
                && sweep.stall().retryWithNextSeed()) {
            sweeps.retryWithNextSeed(trial.trialId(), spec, config, data, sweep.stall().maxRetries())
                    .ifPresent(retry -> notices.accept("trial " + trial.trialId() + " stalled; queued trial " + retry.id()
                            + " with seed " + retry.seed()));
        }
        TrialTiming timing = new TrialTiming((System.nanoTime() - start) / 1e9, steps.training, steps.evaluation,
                outcome.memorySeconds(), ProcessMemory.residentBytes());
        listener.trialEnded(claim, state, detail, timing);
        return new TrialRun(state, timing);
    }

    /** The sweep's file as stored now (workers elsewhere have no copy), parsed once per content. */
    private SweepFile sweepFile(long sweepId) {
        SweepStore.StoredSweep stored = sweeps.find(sweepId);
        return parsed.computeIfAbsent(stored.contentHash(), hash -> SweepParser.parse(stored.file(), stored.content()));
    }

    /** Asks the sweep's pruning rule, in the store, after each of the trial's judged epochs. */
    private EpochGate gate(SweepFile sweep, SweepStore.Claim claim, int epochs, Consumer<String> notices) {
        Pruning rule = sweep.pruning();
        if (rule instanceof Pruning.None) {
            return EpochGate.NONE;
        }
        Metric metric = sweep.metric();
        PruningStore decisions = new PruningStore(store::connection);
        PruningStore.Rule stored = StoreMapping.rule(rule);
        return metrics -> {
            if (!rule.judgesAt(metrics.epoch(), epochs)) {
                return EpochGate.Verdict.CONTINUE;
            }
            double value = switch (metric) {
                case TRAIN_LOSS -> metrics.trainLoss();
                case VALIDATION_ACCURACY -> metrics.validationAccuracy();
            };
            if (Double.isNaN(value)) {
                return EpochGate.Verdict.CONTINUE;
            }
            PruningStore.Decision d = decisions.decide(claim.sweepId(), claim.trialId(), metrics.epoch(), value, stored, metric);
            if (d.promoted()) {
                return EpochGate.Verdict.CONTINUE;
            }
            String why = rule instanceof Pruning.Asha asha
                    ? String.format(java.util.Locale.ROOT, "rung at epoch %d: %s %.4f not in the top 1/%d of %d", metrics.epoch(),
                            metric.column, value, asha.eta(), d.competitors() + 1)
                    : String.format(java.util.Locale.ROOT, "epoch %d: %s %.4f worse than the median of %d others",
                            metrics.epoch(), metric.column, value, d.competitors());
            notices.accept("trial " + claim.trialId() + " pruned at " + why);
            return EpochGate.Verdict.prune(why);
        };
    }
}
