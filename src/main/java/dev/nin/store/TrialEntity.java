package dev.nin.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import java.time.OffsetDateTime;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.ColumnTransformer;

/** One training run: its resolved hyperparameters, state and provenance (table {@code trials}). */
@Entity
@Table(name = "trials")
public class TrialEntity extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "sweep_id")
    public Long sweepId;

    /** Position in the sweep's plan (null for a trial of ./nin train). */
    @Column(name = "plan_index")
    public Integer planIndex;

    /** How many times a worker claimed this trial; writes of an older attempt are refused. */
    public int attempt;

    @Column(name = "lease_expires_at")
    public OffsetDateTime leaseExpiresAt;

    /** The hyperparameters in words, without the seed: trials that differ only by seed share it. */
    public String configuration;

    public String state;
    public String variant;
    public long seed;
    @Column(name = "learning_rate")
    public double learningRate;
    public int epochs;
    @Column(name = "batch_size")
    public int batchSize;
    public int resize;
    public double momentum;
    public boolean nesterov;
    @Column(name = "weight_decay")
    public double weightDecay;
    public double dropout;
    @Column(name = "train_limit")
    public int trainLimit;
    @Column(name = "validation_size")
    public int validationSize;
    @Column(name = "test_limit")
    public int testLimit;

    /** The full resolved configuration as JSON (column type jsonb). */
    @ColumnTransformer(write = "?::jsonb")
    public String config;

    @Column(name = "config_hash")
    public String configHash;

    public String device;

    /** fp32, bf16 or fp16: what the graph computed in (the config holds what was asked). */
    @Column(name = "compute_precision")
    public String computePrecision;
    public String worker;
    @Column(name = "started_at")
    public OffsetDateTime startedAt;
    @Column(name = "heartbeat_at")
    public OffsetDateTime heartbeatAt;
    @Column(name = "ended_at")
    public OffsetDateTime endedAt;
    public String error;
    @Column(name = "diverged_at")
    public String divergedAt;
    /** Where a stalled or pruned trial stopped, e.g. "epoch 1 step 300 (…)" or "rung at epoch 3: …". */
    @Column(name = "stopped_at")
    public String stoppedAt;
    /** The trial this one retries with the next seed, after it stalled. */
    @Column(name = "retry_of")
    public Long retryOf;
    /**
     * The training step (counted from 1 over the whole run) that began the first
     * {@link dev.nin.train.PlateauExit#RUN_DEFAULT} consecutive steps with loss below the plateau
     * band of ln 10; null while on the plateau (or for trials recorded before this column).
     */
    @Column(name = "left_plateau_at_step")
    public Long leftPlateauAtStep;
    /** start-up or model-guided for a TPE sweep's asked trials; null otherwise. */
    @Column(name = "sampler_phase")
    public String samplerPhase;
    @Column(name = "weights_sha256")
    public String weightsSha256;
    @Column(name = "git_commit")
    public String gitCommit;
    @Column(name = "nin_version")
    public String ninVersion;
    @Column(name = "djl_version")
    public String djlVersion;
    @Column(name = "tensorflow_version")
    public String tensorflowVersion;
    @Column(name = "java_version")
    public String javaVersion;
    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
