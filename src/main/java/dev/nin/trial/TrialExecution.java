package dev.nin.trial;

import dev.nin.app.NinServices;
import dev.nin.io.PausePoint;
import dev.nin.model.ComputePrecision;
import dev.nin.model.NetworkPlan;
import dev.nin.store.ClaimLostException;
import dev.nin.store.queue.TrialRecorder;
import dev.nin.track.MlflowMirror;
import dev.nin.train.PrecisionChoice;
import dev.nin.train.PrecisionProbe;
import dev.nin.train.Provenance;
import dev.nin.train.TrainRequest;
import dev.nin.train.Trainer;
import dev.nin.train.TrainingListener;
import dev.nin.train.TrainingResult;

import java.nio.file.Path;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs one trial from its row in the store to its end, the same way for {@code ./nin train},
 * {@code ./nin sweep} and {@code ./nin worker}: opens the trial's recording (a new row, or the
 * claimed one), measures the network's memory, trains with the store and MLflow listening,
 * records how it ended (a failure in words a user can act on), and deletes the trial's
 * checkpoints once it has ended for good. The caller loads TensorFlow and the data, and starts
 * and finishes the MLflow mirror around its trials.
 */
@ApplicationScoped
public class TrialExecution {

    /** What the caller hears of a trial besides its training events. */
    public interface Observer {
        /** The store holds the trial ({@code trialId}); its memory is measured next. */
        default void recorded(long trialId) {}

        /** Training starts; the returned listener hears every event, before the store and MLflow do. */
        default TrainingListener training(long trialId) {
            return TrainingListener.NONE;
        }
    }

    private final NinServices services;
    private final TrialRecorder recorder;
    private final MlflowMirror mirror;

    @Inject
    public TrialExecution(NinServices services, TrialRecorder recorder, MlflowMirror mirror) {
        this.services = services;
        this.recorder = recorder;
        this.mirror = mirror;
    }

    /**
     * Runs {@code job} to its end. Exceptions from training are recorded and returned as
     * {@link TrialOutcome.Ending#FAILED}, a lost claim as {@link TrialOutcome.Ending#LOST}; those
     * from opening a new trial's row (the store unreachable) propagate, nothing having been recorded.
     */
    public TrialOutcome run(TrialJob job, Observer observer, Consumer<String> notices) {
        NetworkPlan plan = job.config().plan(job.model());
        String device = job.runtime().device();
        PrecisionChoice choice = new PrecisionProbe(services.home(), job.runtime(), job.config().threads(), notices)
                .choose(job.config().options().precision(), job.model(), job.config().resize(), job.config().batchSize());
        ComputePrecision precision = choice.precision();
        Provenance provenance = Provenance.of(job.runtime());
        double memorySeconds = 0;
        long trialId = job.entry() instanceof TrialJob.Entry.Claimed c ? c.trialId() : 0;
        TrialOutcome outcome;
        try (TrialRecorder.Recording recording = open(job, plan, device, precision, provenance)) {
            trialId = recording.trialId();
            observer.recorded(trialId);
            if (job.measureMemory()) {
                long measuring = System.nanoTime();
                new MemoryMeasurement(recorder).measure(trialId, plan, job.config(), precision, notices);
                memorySeconds = (System.nanoTime() - measuring) / 1e9;
            }
            try {
                TrainingResult result = new Trainer(job.runtime()).train(request(job, recording, choice,
                        observer.training(trialId).andThen(recording).andThen(mirror.listener())));
                outcome = new TrialOutcome(trialId, TrialOutcome.Ending.TRAINED, result, null, result.stoppedAt(), memorySeconds);
            } catch (ClaimLostException e) {
                recording.failed(e);
                outcome = lost(trialId, e, memorySeconds);
            } catch (RuntimeException | Error e) {
                String reason = reason(e);
                recording.failed(new RuntimeException(reason, e));
                outcome = new TrialOutcome(trialId, TrialOutcome.Ending.FAILED, null, e, reason, memorySeconds);
            }
        } catch (ClaimLostException e) {
            // Lost while opening or closing the recording: another worker holds the trial now.
            outcome = lost(trialId, e, memorySeconds);
        }
        if (outcome.ending() != TrialOutcome.Ending.LOST) {
            PausePoint.TRIAL_RECORDED.reach(1);
            job.checkpoints().ifPresent(checkpoints -> checkpoints.deleteAll());
        }
        return outcome;
    }

    private TrialRecorder.Recording open(TrialJob job, NetworkPlan plan, String device, ComputePrecision precision,
            Provenance provenance) {
        if (job.entry() instanceof TrialJob.Entry.Claimed claimed) {
            return recorder.attach(claimed.trialId(), claimed.attempt(), plan, job.config(), device, precision, provenance);
        }
        TrialJob.Entry.New fresh = (TrialJob.Entry.New) job.entry();
        return recorder.start(plan, job.config(), job.data(), fresh.configuration(), device, precision, provenance);
    }

    private TrainRequest request(TrialJob job, TrialRecorder.Recording recording, PrecisionChoice precision,
            TrainingListener listener) {
        TrainRequest.Builder request = TrainRequest.builder().setModel(job.model()).setConfig(job.config())
                .setData(job.splits()).optListener(listener).optGate(job.gate()).optPrecision(precision);
        job.checkpoints().ifPresent(checkpoints -> request.optCheckpoints(checkpoints, job.resumeAfter()));
        if (job.saveModel()) {
            request.optSavedModel(modelFolder(services.home(), recording.trialId()), recording.modelOrigin());
        }
        return request.build();
    }

    /** Where a trial's SavedModel is exported: {@code HOME/models/trial-ID}. */
    private static Path modelFolder(Path home, long trialId) {
        return home.resolve("models").resolve("trial-" + trialId);
    }

    private static TrialOutcome lost(long trialId, ClaimLostException e, double memorySeconds) {
        return new TrialOutcome(trialId, TrialOutcome.Ending.LOST, null, e, e.getMessage(), memorySeconds);
    }

    /** A failure in one line a user can act on; running out of memory says what to shrink. */
    static String reason(Throwable e) {
        if (e instanceof OutOfMemoryError || e.getClass().getSimpleName().contains("ResourceExhausted")) {
            return "out of memory: " + e.getMessage() + " (try a smaller batch or resize)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
