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

-- Issue 7: time inside evaluation, so a sweep's efficiency (time in TensorFlow steps over wall
-- time) can be read from the store. NULL for epochs recorded before.
ALTER TABLE epoch_metrics ADD COLUMN evaluation_seconds DOUBLE PRECISION;

-- Issue 8: trials stuck on the ln(classes) plateau stop as 'stalled', trials a pruning rule stops
-- as 'pruned'; both say where in stopped_at. A stalled trial may be retried with the next seed.
ALTER TABLE trials DROP CONSTRAINT trials_state_check;
ALTER TABLE trials ADD CONSTRAINT trials_state_check
    CHECK (state IN ('pending', 'running', 'completed', 'diverged', 'failed', 'interrupted', 'stalled', 'pruned'));
ALTER TABLE trials
    ADD COLUMN stopped_at TEXT,
    ADD COLUMN retry_of   BIGINT REFERENCES trials (id);

-- One decision per trial and epoch of a pruning rule: whether the trial went on. Decisions are
-- taken under a per-sweep advisory lock, and the primary key makes a second decision impossible,
-- so several workers never promote (or prune) one trial twice.
CREATE TABLE pruning_decisions (
    trial_id     BIGINT           NOT NULL REFERENCES trials (id),
    epoch        INTEGER          NOT NULL,
    sweep_id     BIGINT           NOT NULL REFERENCES sweeps (id),
    method       TEXT             NOT NULL CHECK (method IN ('asha', 'median')),
    metric_value DOUBLE PRECISION NOT NULL,
    competitors  INTEGER          NOT NULL,
    decision     TEXT             NOT NULL CHECK (decision IN ('promoted', 'pruned')),
    decided_at   TIMESTAMPTZ      NOT NULL DEFAULT now(),
    PRIMARY KEY (trial_id, epoch)
);
CREATE INDEX pruning_decisions_rung ON pruning_decisions (sweep_id, epoch);

-- trial_results gains where a stalled or pruned trial stopped (a new last column keeps the view's
-- dependants valid).
CREATE OR REPLACE VIEW trial_results AS
SELECT t.id AS trial_id, s.name AS sweep, t.state, t.configuration, t.variant, t.learning_rate, t.batch_size, t.resize, t.epochs,
       t.momentum, t.weight_decay, t.dropout, t.seed, t.device, m.epoch AS epochs_completed,
       m.train_loss, m.train_accuracy, m.validation_accuracy, m.test_accuracy, m.images_per_second,
       t.started_at, t.ended_at, t.stopped_at
FROM trials t
LEFT JOIN LATERAL (SELECT * FROM epoch_metrics e WHERE e.trial_id = t.id ORDER BY e.epoch DESC LIMIT 1) m ON true
LEFT JOIN sweeps s ON s.id = t.sweep_id;

-- What pruning saved per sweep: epochs its trials were planned to run against epochs they ran.
CREATE VIEW sweep_budget AS
SELECT s.name AS sweep,
       count(t.id)                                          AS trials,
       count(t.id) FILTER (WHERE t.state = 'pruned')        AS pruned,
       count(t.id) FILTER (WHERE t.state = 'stalled')       AS stalled,
       coalesce(sum(t.epochs), 0)                           AS epochs_planned,
       coalesce(sum(r.epochs_completed), 0)                 AS epochs_run
FROM sweeps s
JOIN trials t ON t.sweep_id = s.id
LEFT JOIN trial_results r ON r.trial_id = t.id
GROUP BY s.name;
