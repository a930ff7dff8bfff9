package dev.nin.sweep;


import dev.nin.app.NinServices;
import dev.nin.app.Provenance;
import dev.nin.data.DataOptions;
import dev.nin.data.FashionMnist;
import dev.nin.engine.DeviceRequest;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ModelSpec;
import dev.nin.model.OptimizerSpec;
import dev.nin.store.ClaimLostException;
import dev.nin.store.SweepStore;
import dev.nin.store.TrialEntity;
import dev.nin.store.TrialConfig;
import dev.nin.store.TrialRecorder;
import dev.nin.store.Workers;
import dev.nin.track.MlflowMirror;
import dev.nin.train.Checkpoints;
import dev.nin.train.TrainConfig;
import dev.nin.train.Trainer;
import dev.nin.train.TrainingResult;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;

import java.util.Optional;
import java.util.OptionalDouble;
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

    /** How a worker behaves. */
    /**
     * @param saveModels export every completed trial as a SavedModel under the nin home's models/
     */
    /**
     * @param measureMemory measure each distinct network's training and prediction memory (in fresh
     *        processes, once per network: trials with the same network share the figures)
     */
    public record Options(DeviceRequest device, boolean failFast, int maxTrials, boolean saveModels, boolean measureMemory) {}

    /** What a worker did. */
    public record Outcome(int completed, int diverged, int failed, int lost, boolean stoppedOnFailure) {
        public int trials() {
            return completed + diverged + failed + lost;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final NinServices services;
    private final SweepStore sweeps;
    private final TrialRecorder recorder;
    private final MlflowMirror mirror;

    @Inject
    public SweepRunner(NinServices services, SweepStore sweeps, TrialRecorder recorder, MlflowMirror mirror) {
        this.services = services;
        this.sweeps = sweeps;
        this.recorder = recorder;
        this.mirror = mirror;
    }

    /** Works on {@code sweepId} (or any sweep when null) until no trial can be claimed. */
    public Outcome work(Long sweepId, Options options, SweepListener listener, Consumer<String> notices) {
        int completed = 0;
        int diverged = 0;
        int failed = 0;
        int lost = 0;
        RuntimeInfo runtime = null;
        String worker = Workers.self();
        while (options.maxTrials() <= 0 || completed + diverged + failed + lost < options.maxTrials()) {
            // A trial boundary: whatever MLflow missed so far goes now, off this thread.
            mirror.requestSync();
            Optional<SweepStore.Claim> next = sweeps.claim(sweepId, worker);
            if (next.isEmpty()) {
                break;
            }
            SweepStore.Claim claim = next.get();
            if (runtime == null) {
                runtime = services.tensorflow(options.device(), notices);
            }
            String state = run(claim, runtime, listener, notices, options);
            switch (state) {
                case "completed" -> completed++;
                case "diverged" -> diverged++;
                case "lost" -> lost++;
                default -> {
                    failed++;
                    if (options.failFast()) {
                        return new Outcome(completed, diverged, failed, lost, true);
                    }
                }
            }
        }
        return new Outcome(completed, diverged, failed, lost, false);
    }

    private String run(SweepStore.Claim claim, RuntimeInfo runtime, SweepListener listener, Consumer<String> notices,
            Options options) {
        long start = System.nanoTime();
        TrialEntity trial = QuarkusTransaction.requiringNew().call(() -> TrialEntity.<TrialEntity>findById(claim.trialId()));
        ModelSpec spec = TrialConfig.modelOf(trial.config, trial.variant, trial.dropout);
        TrainConfig config = new TrainConfig(trial.learningRate, trial.epochs, trial.batchSize, trial.resize, trial.seed,
                new OptimizerSpec(trial.momentum, trial.nesterov, trial.weightDecay), OptionalDouble.of(trial.dropout),
                threads(trial));
        DataOptions data = SweepStore.dataOf(trial);
        Checkpoints checkpoints = new Checkpoints(services.home().resolve("checkpoints").resolve("trial-" + trial.id));
        int resumeAfter = 0;
        if (claim.recordedEpochs() > 0) {
            if (checkpoints.has(claim.recordedEpochs())) {
                resumeAfter = claim.recordedEpochs();
            } else {
                // Its checkpoints are on another machine or gone: start over, without the old epochs.
                sweeps.forgetEpochsAfter(trial.id, 0);
                checkpoints.deleteAll();
            }
        }
        String state;
        String detail = "";
        try {
            FashionMnist dataset = services.dataset(Optional.empty(), notices);
            DataOptions.Splits splits = data.apply(dataset, DataOptions.SPLIT_SEED);
            try (TrialRecorder.Recording recording = recorder.attach(trial.id, claim.attempt(), Trainer.plan(spec, config),
                    config, runtime.device(), Provenance.of(runtime))) {
                if (options.measureMemory()) {
                    recorder.measureMemory(recording.trialId(), Trainer.plan(spec, config), config, notices);
                }
                var progress = listener.trialStarting(claim, trial.configuration + " seed=" + trial.seed, resumeAfter);
                try {
                    TrainingResult result = new Trainer(runtime).train(spec, config, splits, progress.andThen(recording).andThen(mirror.listener()),
                            checkpoints, resumeAfter,
                            options.saveModels() ? services.home().resolve("models").resolve("trial-" + trial.id) : null);
                    state = result.status() == TrainingResult.Status.DIVERGED ? "diverged" : "completed";
                    detail = result.divergedAt();
                } catch (ClaimLostException e) {
                    recording.failed(e);
                    state = "lost";
                    detail = e.getMessage();
                } catch (RuntimeException | OutOfMemoryError e) {
                    String reason = reason(e);
                    recording.failed(new RuntimeException(reason, e));
                    state = "failed";
                    detail = reason;
                }
            }
        } catch (ClaimLostException e) {
            state = "lost";
            detail = e.getMessage();
        }
        if (!state.equals("lost")) {
            checkpoints.deleteAll();
        }
        listener.trialEnded(claim, state, detail, (System.nanoTime() - start) / 1e9);
        return state;
    }

    private static String reason(Throwable e) {
        if (e instanceof OutOfMemoryError || e.getClass().getSimpleName().contains("ResourceExhausted")) {
            return "out of memory: " + e.getMessage() + " (try a smaller batch or resize)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private static int threads(TrialEntity trial) {
        try {
            return JSON.readTree(trial.config).path("threads").asInt(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
