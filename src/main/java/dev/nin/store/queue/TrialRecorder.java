package dev.nin.store.queue;

import dev.nin.store.TrialState;
import dev.nin.store.TrialConfig;
import dev.nin.store.ResourceProfileEntity;
import dev.nin.store.ArtifactEntity;
import dev.nin.store.EpochMetricEntity;
import dev.nin.store.Workers;
import dev.nin.store.TrialEntity;
import dev.nin.store.StoreException;
import dev.nin.store.ClaimLostException;
import dev.nin.store.Store;
import dev.nin.data.IdxReader;
import dev.nin.model.ModelSpecJson;
import java.util.function.Supplier;

import dev.nin.data.DataOptions;
import dev.nin.model.ComputePrecision;
import dev.nin.model.CostReport;
import dev.nin.model.NetworkPlan;
import dev.nin.model.PlannedLayer;
import dev.nin.train.EpochMetrics;
import dev.nin.train.Provenance;
import dev.nin.train.MeasuredMemory;
import dev.nin.train.TrainConfig;
import dev.nin.train.TrainingEvent;
import dev.nin.train.TrainingListener;
import dev.nin.train.TrainingResult;

import io.quarkus.narayana.jta.QuarkusTransaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Records trials in the store: the trial row before training starts, each epoch in its own
 * transaction as it ends, and the final state. A kill at any moment loses at most the epoch in
 * flight; the trial is marked interrupted when the store is next opened. Every write checks that
 * this process still owns the trial (same attempt, still running), so a trial reclaimed by another
 * worker is never recorded twice.
 */
@ApplicationScoped
public class TrialRecorder {

    /** How often a running trial proves it is alive and renews its lease. */
    public static final int HEARTBEAT_SECONDS = 30;

    private final Store store;

    @Inject
    public TrialRecorder(Store store) {
        this.store = store;
    }

    /** Describes a trial for insertion: hyperparameters, resolved config and costs. */
    static void describe(TrialEntity t, NetworkPlan plan, TrainConfig config, DataOptions data, String configuration) {
        TrialConfig resolved = TrialConfig.of(plan, config, data);
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
        t.configuration = configuration;
        t.ninVersion = Provenance.buildVersion();
        t.javaVersion = System.getProperty("java.version");
    }

    /** Inserts a running trial of {@code ./nin train} (attempt 1) and returns its recording. */
    public Recording start(NetworkPlan plan, TrainConfig config, DataOptions data, String configuration, String device,
            ComputePrecision precision, Provenance provenance) {
        store.open();
        long id = QuarkusTransaction.requiringNew().call(() -> {
            TrialEntity t = new TrialEntity();
            describe(t, plan, config, data, configuration);
            t.state = TrialState.RUNNING.value;
            t.attempt = 1;
            t.worker = Workers.self();
            t.startedAt = OffsetDateTime.now();
            t.heartbeatAt = t.startedAt;
            t.leaseExpiresAt = t.startedAt.plusSeconds(Store.LEASE_SECONDS);
            t.persist();
            return t.id;
        });
        return attach(id, 1, plan, config, device, precision, provenance);
    }

    /** Starts recording a trial this process has claimed (state running, this attempt). */
    public Recording attach(long trialId, int attempt, NetworkPlan plan, TrainConfig config, String device,
            ComputePrecision precision, Provenance provenance) {
        store.open();
        CostReport costs = new CostReport(plan);
        QuarkusTransaction.requiringNew().run(() -> {
            int owned = TrialEntity.update("device = ?1, gitCommit = ?2, ninVersion = ?3, djlVersion = ?4,"
                    + " tensorflowVersion = ?5, javaVersion = ?6, computePrecision = ?10 where id = ?7 and attempt = ?8"
                    + " and state = ?9", device, provenance.gitCommit(), provenance.ninVersion(), provenance.djlVersion(),
                    provenance.tensorflowVersion(), provenance.javaVersion(), trialId, attempt, TrialState.RUNNING.value,
                    precision.key());
            if (owned == 0) {
                throw new ClaimLostException(trialId, attempt);
            }
            ResourceProfileEntity r = ResourceProfileEntity.findById(trialId);
            if (r == null) {
                r = new ResourceProfileEntity();
                r.trialId = trialId;
            }
            r.parameters = costs.params();
            r.multiplyAdds = costs.multiplyAdds();
            r.forwardFlops = costs.forwardFlops();
            r.trainingStepFlops = costs.trainingFlops();
            r.batchSize = config.batchSize();
            int slots = config.optimizer().slotsPerParameter();
            r.trainingMemoryBytesEstimated = costs.training(config.batchSize(), slots, precision).total();
            r.predictionMemoryBytesEstimated = costs.prediction(config.batchSize(), precision).total();
            r.trainingMemoryBytesEstimatedBatch1 = costs.training(1, slots, precision).total();
            r.predictionMemoryBytesEstimatedBatch1 = costs.prediction(1, precision).total();
            r.memoryKey = memoryKey(plan, config, precision, provenance);
            r.persist();
        });
        return new Recording(trialId, attempt);
    }

    /**
     * Records the measured memory of a trial's network: copied from an earlier trial with the same
     * {@linkplain #memoryKey memory key} when there is one, else measured by {@code probe} (which
     * takes a few seconds to a minute). The caller measures: the store spawns no process.
     *
     * @return the figures recorded, and whether they were measured now
     */
    public RecordedMemory recordMeasuredMemory(long trialId, Supplier<MeasuredMemory> probe) {
        store.open();
        ResourceProfileEntity known = QuarkusTransaction.requiringNew().call(() -> {
            ResourceProfileEntity own = ResourceProfileEntity.findById(trialId);
            if (own == null || own.memoryKey == null) {
                throw new IllegalStateException("trial " + trialId + " has no resource profile; attach it first");
            }
            return ResourceProfileEntity.<ResourceProfileEntity>find(
                    "memoryKey = ?1 and trainingMemoryBytesMeasured is not null and predictionMemoryBytesMeasuredBatch1 is not null",
                    own.memoryKey).firstResult();
        });
        boolean fresh = known == null;
        MeasuredMemory measured = fresh ? probe.get()
                : new MeasuredMemory(known.trainingMemoryBytesMeasuredBatch1, known.trainingMemoryBytesMeasured,
                        known.predictionMemoryBytesMeasuredBatch1, known.predictionMemoryBytesMeasured, known.memoryMeasuredBy);
        QuarkusTransaction.requiringNew().run(() -> {
            ResourceProfileEntity r = ResourceProfileEntity.findById(trialId);
            r.trainingMemoryBytesMeasuredBatch1 = measured.trainingBatch1();
            r.trainingMemoryBytesMeasured = measured.training();
            r.predictionMemoryBytesMeasuredBatch1 = measured.predictionBatch1();
            r.predictionMemoryBytesMeasured = measured.prediction();
            r.memoryMeasuredBy = measured.method();
        });
        return new RecordedMemory(measured, fresh);
    }

    /** What {@link #recordMeasuredMemory} recorded; {@code fresh} is false when it was copied from an earlier trial. */
    public record RecordedMemory(MeasuredMemory measured, boolean fresh) {}

    /**
     * SHA-256 of what a trial's memory depends on: the network (spec and input size), batch,
     * optimizer state, threads, precision and the TensorFlow build and device it runs on.
     */
    static String memoryKey(NetworkPlan plan, TrainConfig config, ComputePrecision precision, Provenance provenance) {
        // fp32 adds nothing, so trials measured before precisions existed keep sharing their figures.
        String key = ModelSpecJson.write(plan.spec()) + "|resize=" + config.resize() + "|batch=" + config.batchSize()
                + "|slots=" + config.optimizer().slotsPerParameter() + "|threads=" + config.threads() + "|tf="
                + provenance.tensorflowVersion() + "|method=" + MeasuredMemory.PROBE_METHOD
                + (precision == ComputePrecision.FP32 ? "" : "|precision=" + precision.key());
        return IdxReader.sha256(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * Ends attempt {@code attempt} of a running trial in {@code state}: the one statement that ends a
     * trial, run by {@link Recording} and by {@link ClaimBenchmark} on its claimers' connections.
     *
     * @return 1, or 0 when the trial is no longer this attempt's (its lease expired and another
     *         worker claimed it, or it was marked interrupted): nothing was written
     */
    static int endAttempt(Connection c, long trialId, int attempt, TrialState state, String error, String divergedAt,
            String stoppedAt, String weights) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE trials SET state = ?, ended_at = ?, error = ?, diverged_at = ?, stopped_at = ?, weights_sha256 = ?,
                       lease_expires_at = NULL
                WHERE id = ? AND attempt = ? AND state = ?""")) {
            s.setString(1, state.value);
            s.setObject(2, OffsetDateTime.now());
            s.setString(3, error);
            s.setString(4, divergedAt);
            s.setString(5, stoppedAt);
            s.setString(6, weights);
            s.setLong(7, trialId);
            s.setInt(8, attempt);
            s.setString(9, TrialState.RUNNING.value);
            return s.executeUpdate();
        }
    }

    /** Records one trial's epochs and end; close it when training ends, however it ends. */
    public final class Recording implements TrainingListener, AutoCloseable {

        private final long trialId;
        private final int attempt;
        private final ScheduledExecutorService heartbeat;
        private boolean finished;
        /** When the run leaves the loss plateau; made when training starts, from its stall rule's band. */
        private dev.nin.train.PlateauExit plateau;

        /** What the trial's exported model card says of it: its id, label and resolved config as stored. */
        public dev.nin.train.ModelCard.Origin modelOrigin() {
            return QuarkusTransaction.requiringNew().call(() -> {
                TrialEntity t = TrialEntity.findById(trialId);
                return new dev.nin.train.ModelCard.Origin(trialId, t.configuration, t.config, t.configHash);
            });
        }

        Recording(long trialId, int attempt) {
            this.trialId = trialId;
            this.attempt = attempt;
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
            if (event instanceof TrainingEvent.Started started) {
                plateau = dev.nin.train.PlateauExit.of(started.config().options().stall(), started.costs().plan().spec().classes());
                if (started.resumedAfter() == 0) {
                    // From scratch: an earlier attempt's exit no longer describes this run.
                    QuarkusTransaction.requiringNew().run(() ->
                            TrialEntity.update("leftPlateauAtStep = null where id = ?1", trialId));
                }
            } else if (event instanceof TrainingEvent.BatchEnded step && plateau != null) {
                long global = (long) (step.epoch() - 1) * step.batchesPerEpoch() + step.batch();
                // Once per trial: the first time its loss stays below the plateau band (a resumed run keeps the first).
                plateau.observe(global, step.loss()).ifPresent(left -> QuarkusTransaction.requiringNew().run(() ->
                        TrialEntity.update("leftPlateauAtStep = ?1 where id = ?2 and leftPlateauAtStep is null", left, trialId)));
            } else if (event instanceof TrainingEvent.EpochEnded ended) {
                EpochMetrics m = ended.metrics();
                dev.nin.io.PausePoint.EPOCH_ANNOUNCED.reach(m.epoch());
                QuarkusTransaction.requiringNew().run(() -> {
                    renewOrFail();
                    EpochMetricEntity.delete("trialId = ?1 and epoch = ?2", trialId, m.epoch());
                    EpochMetricEntity e = new EpochMetricEntity();
                    e.trialId = trialId;
                    e.epoch = m.epoch();
                    e.trainLoss = m.trainLoss();
                    e.trainAccuracy = m.trainAccuracy();
                    e.validationAccuracy = Double.isNaN(m.validationAccuracy()) ? null : m.validationAccuracy();
                    e.testAccuracy = Double.isNaN(m.testAccuracy()) ? null : m.testAccuracy();
                    e.imagesPerSecond = m.imagesPerSecond();
                    e.trainSeconds = m.trainSeconds();
                    e.evaluationSeconds = m.evaluationSeconds();
                    e.seconds = m.seconds();
                    e.persist();
                });
            } else if (event instanceof TrainingEvent.Finished done) {
                TrainingResult result = done.result();
                TrialState state = TrialState.of(result.status());
                result.savedModel().ifPresent(model -> QuarkusTransaction.requiringNew().run(() -> {
                    ArtifactEntity.delete("trialId = ?1 and kind = ?2", trialId, ArtifactEntity.SAVED_MODEL);
                    ArtifactEntity a = new ArtifactEntity();
                    a.trialId = trialId;
                    a.kind = ArtifactEntity.SAVED_MODEL;
                    a.path = model.folder().toAbsolutePath().toString();
                    a.sizeBytes = model.bytes();
                    a.sha256 = model.sha256();
                    a.persist();
                }));
                String where = result.stoppedAt().isEmpty() ? null : result.stoppedAt();
                boolean diverged = result.status() == TrainingResult.Status.DIVERGED;
                end(state, null, diverged ? where : null, diverged ? null : where, result.weightsSha256());
            }
        }

        /** Records a failure (an exception that ended training). */
        public void failed(Throwable error) {
            if (error instanceof ClaimLostException) {
                finished = true;
                heartbeat.shutdownNow();
                return;
            }
            String message = error.getMessage() == null ? error.toString() : error.getMessage();
            end(TrialState.FAILED, message, null, null, null);
        }

        private void renewOrFail() {
            int owned = TrialEntity.update("heartbeatAt = ?1, leaseExpiresAt = ?2 where id = ?3 and attempt = ?4 and state = ?5",
                    OffsetDateTime.now(), OffsetDateTime.now().plusSeconds(Store.LEASE_SECONDS), trialId, attempt,
                    TrialState.RUNNING.value);
            if (owned == 0) {
                throw new ClaimLostException(trialId, attempt);
            }
        }

        private void end(TrialState state, String error, String divergedAt, String stoppedAt, String weights) {
            heartbeat.shutdownNow();
            finished = true;
            int owned = QuarkusTransaction.requiringNew().call(() -> {
                try (Connection c = store.connection()) {
                    return endAttempt(c, trialId, attempt, state, error, divergedAt, stoppedAt, weights);
                } catch (SQLException e) {
                    throw new StoreException("could not record the end of trial " + trialId + " at " + store.redactedUrl()
                            + ": " + e.getMessage(), e);
                }
            });
            if (owned == 0) {
                throw new ClaimLostException(trialId, attempt);
            }
        }

        private void beat() {
            try {
                QuarkusTransaction.requiringNew().run(this::renewOrFail);
            } catch (RuntimeException e) {
                // A missed heartbeat is harmless; the next one, or the epoch's write, tries again.
            }
        }

        @Override
        public void close() {
            heartbeat.shutdownNow();
            if (!finished) {
                end(TrialState.INTERRUPTED, "training stopped before it finished", null, null, null);
            }
        }
    }
}
