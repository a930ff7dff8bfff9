-- Issue 6: memory is estimated and measured for batch 1 as well as the training batch, and the
-- measurement says how it was taken. A measurement depends only on the network, input size,
-- batch, optimizer state and runtime, so trials sharing those share it (memory_key).
ALTER TABLE resource_profiles
    ADD COLUMN training_memory_bytes_estimated_batch1   BIGINT,
    ADD COLUMN prediction_memory_bytes_estimated_batch1 BIGINT,
    ADD COLUMN training_memory_bytes_measured_batch1    BIGINT,
    ADD COLUMN prediction_memory_bytes_measured_batch1  BIGINT,
    ADD COLUMN memory_measured_by                       TEXT,
    ADD COLUMN memory_key                               TEXT;

CREATE INDEX resource_profiles_memory_key ON resource_profiles (memory_key)
    WHERE training_memory_bytes_measured IS NOT NULL;

-- One row per trial: what its network costs, estimated and measured, with the ratio of the two.
CREATE VIEW resource_usage AS
SELECT t.id AS trial_id, s.name AS sweep, t.variant, t.resize, r.batch_size,
       r.parameters, r.forward_flops, r.training_step_flops,
       r.training_memory_bytes_estimated, r.training_memory_bytes_measured,
       r.training_memory_bytes_measured::float8 / nullif(r.training_memory_bytes_estimated, 0) AS training_memory_ratio,
       r.prediction_memory_bytes_estimated, r.prediction_memory_bytes_measured,
       r.prediction_memory_bytes_measured::float8 / nullif(r.prediction_memory_bytes_estimated, 0) AS prediction_memory_ratio,
       r.training_memory_bytes_estimated_batch1, r.training_memory_bytes_measured_batch1,
       r.prediction_memory_bytes_estimated_batch1, r.prediction_memory_bytes_measured_batch1,
       r.memory_measured_by
FROM resource_profiles r
JOIN trials t ON t.id = r.trial_id
LEFT JOIN sweeps s ON s.id = t.sweep_id;
