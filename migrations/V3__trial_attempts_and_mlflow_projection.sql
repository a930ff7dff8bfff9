-- Issue 14: a trial's started_at is its first start, and every attempt (each claim by a worker)
-- keeps its own times; MLflow is a projection of the store, so mlflow_links keeps only which run
-- shows what, and a fingerprint of what the run was last checked to show.

-- One row per attempt: written by the trigger below whenever a trial starts running (a new
-- attempt) and when it stops, so every path that claims or ends a trial (train, sweep, worker,
-- the check for dead processes) is recorded the same way.
CREATE TABLE trial_attempts (
    trial_id   BIGINT      NOT NULL REFERENCES trials (id),
    attempt    INTEGER     NOT NULL,
    worker     TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at   TIMESTAMPTZ,
    -- NULL while it runs; then the state the trial ended in, or 'lost' when its lease expired and
    -- another worker claimed the trial.
    ended_as   TEXT
        CHECK (ended_as IN ('completed', 'diverged', 'failed', 'interrupted', 'stalled', 'pruned', 'lost')),
    PRIMARY KEY (trial_id, attempt)
);

-- Trials recorded before this migration: their earlier attempts' times were overwritten, so only
-- the last attempt is known. A trial queued again by --retry-failed (pending, its last attempt
-- ended) gets none.
INSERT INTO trial_attempts (trial_id, attempt, worker, started_at, ended_at, ended_as)
SELECT id, greatest(attempt, 1), worker, started_at, CASE WHEN state = 'running' THEN NULL ELSE ended_at END,
       CASE WHEN state = 'running' THEN NULL ELSE state END
FROM trials
WHERE started_at IS NOT NULL AND state <> 'pending';

-- ...and their first start is no later than the start of their earliest recorded epoch.
UPDATE trials t
SET started_at = e.first_epoch_start
FROM (SELECT trial_id, min(recorded_at - make_interval(secs => seconds)) AS first_epoch_start
      FROM epoch_metrics GROUP BY trial_id) e
WHERE e.trial_id = t.id AND t.started_at IS NOT NULL AND e.first_epoch_start < t.started_at;

CREATE FUNCTION record_trial_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state = 'running' AND (NEW.state <> 'running' OR NEW.attempt <> OLD.attempt) THEN
        UPDATE trial_attempts
        SET ended_at = CASE WHEN NEW.attempt <> OLD.attempt THEN coalesce(OLD.heartbeat_at, now())
                            ELSE coalesce(NEW.ended_at, now()) END,
            ended_as = CASE WHEN NEW.attempt <> OLD.attempt THEN 'lost'
                            WHEN NEW.state = 'pending' THEN 'interrupted'
                            ELSE NEW.state END
        WHERE trial_id = OLD.id AND attempt = OLD.attempt AND ended_at IS NULL;
    END IF;
    IF NEW.state = 'running' AND (TG_OP = 'INSERT' OR OLD.state <> 'running' OR NEW.attempt <> OLD.attempt) THEN
        INSERT INTO trial_attempts (trial_id, attempt, worker, started_at)
        VALUES (NEW.id, NEW.attempt, NEW.worker, now())
        ON CONFLICT (trial_id, attempt) DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER trials_record_attempt AFTER INSERT OR UPDATE OF state, attempt ON trials
    FOR EACH ROW EXECUTE FUNCTION record_trial_attempt();

-- A trial's start is its first start: once set, started_at never moves (a claim used to overwrite
-- it, so a resumed trial seemed to have started at its last resume). The claim keeps it too; this
-- makes it a property of the schema.
CREATE FUNCTION keep_first_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.started_at := coalesce(OLD.started_at, NEW.started_at);
    RETURN NEW;
END $$;

CREATE TRIGGER trials_keep_first_start BEFORE UPDATE OF started_at ON trials
    FOR EACH ROW EXECUTE FUNCTION keep_first_start();

-- mlflow_links: only which run shows a sweep or trial. What the run should show is recomputed from
-- the store at every sync and compared with what MLflow has; the flags of what was once sent are
-- gone, since they went stale when a trial was resumed or retried.
ALTER TABLE mlflow_links
    DROP COLUMN params_sent,
    DROP COLUMN epochs_sent,
    DROP COLUMN finished_sent,
    DROP COLUMN artifacts_sent,
    -- Fingerprint of the store's side when the run was last checked and found (or made) equal; NULL:
    -- never checked by this nin. A differing fingerprint means the run is compared with MLflow again.
    ADD COLUMN synced_token TEXT,
    -- Artifact path -> SHA-256 of what was uploaded there (of what it shows, for rendered charts).
    ADD COLUMN artifacts    JSONB NOT NULL DEFAULT '{}';
