package dev.nin.store.query;

import dev.nin.store.ArtifactEntity;
import dev.nin.store.Columns;
import dev.nin.store.Store;
import dev.nin.store.StoreException;
import dev.nin.config.UsageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** One trial as recorded: its row with its resource profile, its epochs, its saved model. */
@ApplicationScoped
public class TrialQuery {

    /** A trial's hyperparameters, provenance and outcome ({@code trials}). */
    public record Trial(long id, String state, String variant, double learningRate, int epochs, int batchSize, int resize,
            long seed, double momentum, boolean nesterov, double weightDecay, double dropout, int trainLimit,
            int validationSize, int testLimit, String device, String computePrecision, String worker, Instant startedAt, Instant endedAt,
            String error, String divergedAt, String stoppedAt, Long retryOf, String configHash, String gitCommit,
            String ninVersion, String djlVersion, String tensorflowVersion, String javaVersion, String weightsSha256,
            Suggestion suggestion) {}

    /**
     * How a TPE sweep's ask decided a trial (null for trials of other sweeps).
     *
     * @param phase start-up or model-guided
     * @param askIndex 0-based order of the ask in its sweep
     * @param used earlier trials the suggestion was computed from; good and pending of them by role
     */
    public record Suggestion(String phase, int askIndex, int used, int good, int pending) {}

    /**
     * A trial's resource profile. A trial recorded without one (it failed before training) reads
     * as zeros with {@code memoryMeasuredBy} null, as {@code ./nin show} has always printed it.
     */
    public record Resources(long parameters, long forwardFlops, long trainingStepFlops, long trainingMemoryEstimated,
            long predictionMemoryEstimated, long trainingMemoryMeasured, long predictionMemoryMeasured,
            long trainingMemoryMeasuredBatch1, long predictionMemoryMeasuredBatch1, String memoryMeasuredBy) {}

    /** What {@code ./nin show} prints above the curve. */
    public record Detail(Trial trial, Resources resources) {}

    /** One recorded epoch; NaN where not measured (no validation split, no test evaluation). */
    public record Epoch(int epoch, double trainLoss, double trainAccuracy, double validationAccuracy, double testAccuracy,
            double imagesPerSecond) {}

    /** Where a trial's exported SavedModel was recorded; {@code path} is null when it has none. */
    public record SavedModel(String state, String path) {}

    /** The test accuracy recorded at the trial's last epoch and the test limit it was measured on. */
    public record RecordedTest(int testLimit, double testAccuracy) {}

    private final Store store;

    @Inject
    public TrialQuery(Store store) {
        this.store = store;
    }

    public Optional<Detail> detail(long trialId) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT t.id, t.state, t.variant, t.learning_rate, t.epochs, t.batch_size, t.resize, t.seed, t.momentum,
                               t.nesterov, t.weight_decay, t.dropout, t.train_limit, t.validation_size, t.test_limit, t.device,
                               t.compute_precision, t.worker, t.started_at, t.ended_at, t.error, t.diverged_at, t.stopped_at, t.retry_of, t.config_hash, t.git_commit,
                               t.nin_version, t.djl_version, t.tensorflow_version, t.java_version, t.weights_sha256,
                               r.parameters, r.forward_flops, r.training_step_flops, r.training_memory_bytes_estimated,
                               r.prediction_memory_bytes_estimated, r.training_memory_bytes_measured,
                               r.prediction_memory_bytes_measured, r.training_memory_bytes_measured_batch1,
                               r.prediction_memory_bytes_measured_batch1, r.memory_measured_by,
                               g.phase, g.ask_index, jsonb_array_length(g.history) AS used,
                               (SELECT count(*) FROM jsonb_array_elements(g.history) h WHERE h ->> 'role' = 'good') AS good,
                               (SELECT count(*) FROM jsonb_array_elements(g.history) h WHERE h ->> 'role' = 'pending') AS pending
                        FROM trials t LEFT JOIN resource_profiles r ON r.trial_id = t.id
                        LEFT JOIN trial_suggestions g ON g.trial_id = t.id
                        WHERE t.id = ?""")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                Trial trial = new Trial(r.getLong("id"), r.getString("state"), r.getString("variant"), r.getDouble("learning_rate"),
                        r.getInt("epochs"), r.getInt("batch_size"), r.getInt("resize"), r.getLong("seed"), r.getDouble("momentum"),
                        r.getBoolean("nesterov"), r.getDouble("weight_decay"), r.getDouble("dropout"), r.getInt("train_limit"),
                        r.getInt("validation_size"), r.getInt("test_limit"), r.getString("device"), r.getString("compute_precision"),
                        r.getString("worker"),
                        instant(r, "started_at"), instant(r, "ended_at"), r.getString("error"), r.getString("diverged_at"),
                        r.getString("stopped_at"), Columns.longOrNull(r, "retry_of"), r.getString("config_hash"),
                        r.getString("git_commit"), r.getString("nin_version"), r.getString("djl_version"),
                        r.getString("tensorflow_version"), r.getString("java_version"), r.getString("weights_sha256"),
                        r.getString("phase") == null ? null : new Suggestion(r.getString("phase"), r.getInt("ask_index"),
                                r.getInt("used"), r.getInt("good"), r.getInt("pending")));
                Resources resources = new Resources(r.getLong("parameters"), r.getLong("forward_flops"),
                        r.getLong("training_step_flops"), r.getLong("training_memory_bytes_estimated"),
                        r.getLong("prediction_memory_bytes_estimated"), r.getLong("training_memory_bytes_measured"),
                        r.getLong("prediction_memory_bytes_measured"), r.getLong("training_memory_bytes_measured_batch1"),
                        r.getLong("prediction_memory_bytes_measured_batch1"), r.getString("memory_measured_by"));
                return Optional.of(new Detail(trial, resources));
            }
        } catch (SQLException e) {
            throw failed(trialId, e);
        }
    }

    /** The trial's recorded epochs, in order, as {@code epoch_metrics} holds them. */
    public List<TrialEpochs.Epoch> recordedEpochs(long trialId) {
        try (Connection c = store.connection()) {
            return TrialEpochs.load(c, trialId);
        } catch (SQLException e) {
            throw failed(trialId, e);
        }
    }

    /** As {@link #recordedEpochs}, with NaN for an accuracy that was not measured. */
    public List<Epoch> epochs(long trialId) {
        return recordedEpochs(trialId).stream().map(e -> new Epoch(e.epoch(), e.trainLoss(), e.trainAccuracy(),
                nanIfNull(e.validationAccuracy()), nanIfNull(e.testAccuracy()), e.imagesPerSecond())).toList();
    }

    private static double nanIfNull(Double value) {
        return value == null ? Double.NaN : value;
    }

    /** The trial's state and saved model, or empty when there is no such trial. */
    public Optional<SavedModel> savedModel(long trialId) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT t.state, a.path FROM trials t LEFT JOIN artifacts a"
                        + " ON a.trial_id = t.id AND a.kind = ? WHERE t.id = ?")) {
            s.setString(1, ArtifactEntity.SAVED_MODEL);
            s.setLong(2, trialId);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(new SavedModel(r.getString(1), r.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(trialId, e);
        }
    }

    /** The recorded test figures of an existing trial (0 accuracy when it has no epoch). */
    public RecordedTest recordedTest(long trialId) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT t.test_limit, r.test_accuracy FROM trials t"
                        + " JOIN trial_results r ON r.trial_id = t.id WHERE t.id = ?")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new UsageException("trial: no trial " + trialId + "; ./nin runs lists them");
                }
                return new RecordedTest(r.getInt(1), r.getDouble(2));
            }
        } catch (SQLException e) {
            throw failed(trialId, e);
        }
    }

    private StoreException failed(long trialId, SQLException e) {
        return new StoreException("could not read trial " + trialId + ": " + e.getMessage(), e);
    }

    /** A TIMESTAMPTZ column as the instant it names, whatever the server's or the JVM's time zone. */
    private static Instant instant(ResultSet r, String column) throws SQLException {
        OffsetDateTime at = r.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
