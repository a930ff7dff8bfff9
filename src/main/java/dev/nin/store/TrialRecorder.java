package dev.nin.store;

import dev.nin.app.Provenance;
import dev.nin.data.DataOptions;
import dev.nin.model.CostReport;
import dev.nin.model.NetworkPlan;
import dev.nin.model.PlannedLayer;
import dev.nin.train.EpochMetrics;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingEvent;
import dev.nin.train.TrainingListener;
import dev.nin.train.TrainingResult;

import io.quarkus.narayana.jta.QuarkusTransaction;

import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Records trials in the store: the trial row before training starts, each epoch in its own
 * transaction as it ends, and the final state. A kill at any moment loses at most the epoch in
 * flight; the trial is marked interrupted when the store is next opened.
 */
@ApplicationScoped
public class TrialRecorder {

    /** How often a running trial proves it is alive. */
    public static final int HEARTBEAT_SECONDS = 30;

    private final Store store;

    @Inject
    public TrialRecorder(Store store) {
        this.store = store;
    }

    /** Inserts a running trial with its resource profile; returns the listener that records the rest. */
    public Recording start(Long sweepId, NetworkPlan plan, TrainConfig config, DataOptions data, String device,
            Provenance provenance) {
        store.open();
        TrialConfig resolved = TrialConfig.of(plan, config, data);
        CostReport costs = new CostReport(plan);
        long id = QuarkusTransaction.requiringNew().call(() -> {
            TrialEntity t = new TrialEntity();
            t.sweepId = sweepId;
            t.state = "running";
            t.variant = plan.spec().variant();
            t.seed = config.seed();
            t.learningRate = config.learningRate();
            t.epochs = config.epochs();
            t.batchSize = config.batchSize();
            t.resize = config.resize();
            t.momentum = config.optimizer().momentum();
            t.nesterov = config.optimizer().nesterov();
            t.weightDecay = config.optimizer().weightDecay();
            t.dropout = plan.layers().stream().filter(PlannedLayer.Drop.class::isInstance)
                    .mapToDouble(l -> ((PlannedLayer.Drop) l).rate()).findFirst().orElse(0.0);
            t.trainLimit = data.trainLimit();
            t.validationSize = data.validationSize();
            t.testLimit = data.testLimit();
            t.config = resolved.json();
            t.configHash = resolved.sha256();
            t.device = device;
            t.worker = Workers.self();
            t.startedAt = OffsetDateTime.now();
            t.heartbeatAt = t.startedAt;
            t.gitCommit = provenance.gitCommit();
            t.ninVersion = provenance.ninVersion();
            t.djlVersion = provenance.djlVersion();
            t.tensorflowVersion = provenance.tensorflowVersion();
            t.javaVersion = provenance.javaVersion();
            t.persist();

            ResourceProfileEntity r = new ResourceProfileEntity();
            r.trialId = t.id;
            r.parameters = costs.params();
            r.multiplyAdds = costs.multiplyAdds();
            r.forwardFlops = costs.forwardFlops();
            r.trainingStepFlops = costs.trainingFlops();
            r.batchSize = config.batchSize();
            r.trainingMemoryBytesEstimated = costs.training(config.batchSize(), config.optimizer().slotsPerParameter()).total();
            r.predictionMemoryBytesEstimated = costs.prediction(config.batchSize()).total();
            r.persist();
            return t.id;
        });
        return new Recording(id);
    }

    /** Records one trial's epochs and end; close it when training ends, however it ends. */
    public final class Recording implements TrainingListener, AutoCloseable {

        private final long trialId;
        private final ScheduledExecutorService heartbeat;
        private boolean finished;

        Recording(long trialId) {
            this.trialId = trialId;
            this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "nin-heartbeat-" + trialId);
                t.setDaemon(true);
                return t;
            });
            heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        }

        public long trialId() {
            return trialId;
        }

        @Override
        public void on(TrainingEvent event) {
            if (event instanceof TrainingEvent.EpochEnded ended) {
                EpochMetrics m = ended.metrics();
                QuarkusTransaction.requiringNew().run(() -> {
                    EpochMetricEntity e = new EpochMetricEntity();
                    e.trialId = trialId;
                    e.epoch = m.epoch();
                    e.trainLoss = m.trainLoss();
                    e.trainAccuracy = m.trainAccuracy();
                    e.validationAccuracy = Double.isNaN(m.validationAccuracy()) ? null : m.validationAccuracy();
                    e.testAccuracy = Double.isNaN(m.testAccuracy()) ? null : m.testAccuracy();
                    e.imagesPerSecond = m.imagesPerSecond();
                    e.trainSeconds = m.trainSeconds();
                    e.seconds = m.seconds();
                    e.persist();
                    TrialEntity.update("heartbeatAt = ?1 where id = ?2", OffsetDateTime.now(), trialId);
                });
            } else if (event instanceof TrainingEvent.Finished done) {
                TrainingResult result = done.result();
                String state = result.status() == TrainingResult.Status.DIVERGED ? "diverged" : "completed";
                end(state, null, result.divergedAt().isEmpty() ? null : result.divergedAt(), result.weightsSha256());
            }
        }

        /** Records a failure (an exception that ended training). */
        public void failed(Throwable error) {
            String message = error.getMessage() == null ? error.toString() : error.getMessage();
            end("failed", message, null, null);
        }

        private void end(String state, String error, String divergedAt, String weights) {
            heartbeat.shutdownNow();
            QuarkusTransaction.requiringNew().run(() -> TrialEntity.update(
                    "state = ?1, endedAt = ?2, error = ?3, divergedAt = ?4, weightsSha256 = ?5 where id = ?6",
                    state, OffsetDateTime.now(), error, divergedAt, weights, trialId));
            finished = true;
        }

        private void beat() {
            try {
                QuarkusTransaction.requiringNew().run(() -> TrialEntity.update("heartbeatAt = ?1 where id = ?2 and state = 'running'",
                        OffsetDateTime.now(), trialId));
            } catch (RuntimeException e) {
                // A missed heartbeat is harmless; the next one, or the epoch's write, tries again.
            }
        }

        @Override
        public void close() {
            heartbeat.shutdownNow();
            if (!finished) {
                end("interrupted", "training stopped before it finished", null, null);
            }
        }
    }
}
