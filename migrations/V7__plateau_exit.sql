-- Issue 18: when a trial left the ln 10 loss plateau, so "how often, and after how many steps, does
-- the book's setting leave it" is a query. The step (counted from 1 over the whole run) that began
-- the first 20 consecutive steps with training loss below ln 10 minus the plateau band (the trial's
-- stall.band, or 0.02 nats when it set none); NULL while it has not (or for trials recorded before).
ALTER TABLE trials ADD COLUMN left_plateau_at_step BIGINT CHECK (left_plateau_at_step >= 1);

-- seed_results gains it, as a new last column (CREATE OR REPLACE VIEW keeps the others as they were).
CREATE OR REPLACE VIEW seed_results AS
SELECT r.sweep, r.trial_id, r.configuration, r.variant, r.seed, r.state, r.epochs_completed, r.train_loss,
       r.validation_accuracy, r.test_accuracy, b.band AS plateau_band,
       (r.state = 'stalled' OR abs(r.train_loss - ln(10)) <= b.band) AS stuck,
       t.left_plateau_at_step
FROM trial_results r
JOIN trials t ON t.id = r.trial_id
CROSS JOIN LATERAL (SELECT COALESCE(NULLIF((t.config #>> '{stall,band}')::double precision, 0), 0.02) AS band) b
WHERE r.state IN ('completed', 'stalled');
