package dev.nin.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Parameters, FLOPs and memory of a trial's network (table {@code resource_profiles}). */
@Entity
@Table(name = "resource_profiles")
public class ResourceProfileEntity extends PanacheEntityBase {

    @Id
    @Column(name = "trial_id")
    public long trialId;

    public long parameters;
    @Column(name = "multiply_adds")
    public long multiplyAdds;
    @Column(name = "forward_flops")
    public long forwardFlops;
    @Column(name = "training_step_flops")
    public long trainingStepFlops;
    @Column(name = "batch_size")
    public int batchSize;
    @Column(name = "training_memory_bytes_estimated")
    public long trainingMemoryBytesEstimated;
    @Column(name = "prediction_memory_bytes_estimated")
    public long predictionMemoryBytesEstimated;
    @Column(name = "training_memory_bytes_measured")
    public Long trainingMemoryBytesMeasured;
    @Column(name = "prediction_memory_bytes_measured")
    public Long predictionMemoryBytesMeasured;
    @Column(name = "training_memory_bytes_estimated_batch1")
    public Long trainingMemoryBytesEstimatedBatch1;
    @Column(name = "prediction_memory_bytes_estimated_batch1")
    public Long predictionMemoryBytesEstimatedBatch1;
    @Column(name = "training_memory_bytes_measured_batch1")
    public Long trainingMemoryBytesMeasuredBatch1;
    @Column(name = "prediction_memory_bytes_measured_batch1")
    public Long predictionMemoryBytesMeasuredBatch1;
    /** How the measured figures were taken (e.g. peak RSS of a fresh process); null until measured. */
    @Column(name = "memory_measured_by")
    public String memoryMeasuredBy;
    /** Network, input size, batch, optimizer state and runtime: trials with the same key need the same memory. */
    @Column(name = "memory_key")
    public String memoryKey;
}
