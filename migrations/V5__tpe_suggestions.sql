-- Issue 17: strategy tpe decides each trial's configuration when a worker asks for work, from the
-- sweep's finished trials (and its running ones, counted as the worst outcome), under the sweep's
-- lock. Trial rows are created at ask time; each suggestion keeps what it was computed from.

-- How a sweep plans (NULL for sweeps stored before this migration: grid or random, planned up front)
-- and, for random and tpe, its budget of configurations. A tpe sweep is asked until it has budget
-- suggestions; --extend with a larger budget lets workers ask again.
ALTER TABLE sweeps
    ADD COLUMN strategy TEXT CHECK (strategy IN ('grid', 'random', 'tpe')),
    ADD COLUMN budget INTEGER CHECK (budget >= 0);

-- Whether a tpe trial was one of the random start-up draws or guided by the model; NULL for trials
-- of grid and random sweeps and for retries of a stalled trial (same configuration, next seed).
ALTER TABLE trials ADD COLUMN sampler_phase TEXT CHECK (sampler_phase IN ('start-up', 'model-guided'));

-- One row per ask of a tpe sweep: the trial it created and the history it was computed from.
CREATE TABLE trial_suggestions (
    trial_id     BIGINT           PRIMARY KEY REFERENCES trials (id),
    sweep_id     BIGINT           NOT NULL REFERENCES sweeps (id),
    -- 0-based order of the asks of the sweep: the k-th suggestion, the same with one worker on every run.
    ask_index    INTEGER          NOT NULL CHECK (ask_index >= 0),
    phase        TEXT             NOT NULL CHECK (phase IN ('start-up', 'model-guided')),
    -- The searched axes' values, e.g. {"lr": 0.0523, "variant": "nin-bn"}.
    params       JSONB            NOT NULL,
    -- Every trial the suggestion was computed from, best first as TPE ranked them:
    -- [{"trial": 12, "role": "good"|"bad"|"pending", "state": "completed", "rung": 0, "value": 0.81}, ...];
    -- role pending: still running, counted as the worst outcome (constant liar); rung: for a pruned
    -- trial, the epoch it was stopped at; value: the metric there (NULL when there was none).
    -- Empty for a start-up draw, which no history decides.
    history      JSONB            NOT NULL CHECK (jsonb_typeof(history) = 'array'),
    -- log l(x) - log g(x) of the suggested point; NULL for a start-up draw.
    score        DOUBLE PRECISION,
    worker       TEXT,
    suggested_at TIMESTAMPTZ      NOT NULL,
    UNIQUE (sweep_id, ask_index)
);

-- The suggestions' histories flattened for SQL: one row per (suggestion, trial it used).
CREATE VIEW suggestion_history AS
SELECT s.sweep_id, s.trial_id, s.ask_index, s.phase,
       (h ->> 'trial')::bigint           AS used_trial_id,
       h ->> 'role'                      AS role,
       h ->> 'state'                     AS used_state,
       (h ->> 'rung')::integer           AS rung,
       (h ->> 'value')::double precision AS value
FROM trial_suggestions s
CROSS JOIN LATERAL jsonb_array_elements(s.history) AS h;

-- Best-so-far per sweep against the number of trials that have ended, in the order they ended:
-- the curve a sampler is judged by. value is the trial's final metric (completed trials only: a
-- pruned trial's metric is from an earlier epoch and not comparable); best the best value so far.
CREATE VIEW best_so_far AS
SELECT sweep, trial_id, trials, state, sampler_phase, value,
       CASE WHEN metric = 'train_loss' THEN min(value) OVER w ELSE max(value) OVER w END AS best
FROM (SELECT s.name AS sweep, s.metric, t.id AS trial_id, t.state, t.sampler_phase, t.ended_at,
             row_number() OVER (PARTITION BY s.id ORDER BY t.ended_at, t.id) AS trials,
             CASE WHEN t.state <> 'completed' THEN NULL
                  WHEN s.metric = 'train_loss' THEN m.train_loss
                  ELSE m.validation_accuracy END AS value
      FROM trials t
      JOIN sweeps s ON s.id = t.sweep_id
      LEFT JOIN LATERAL (SELECT e.train_loss, e.validation_accuracy FROM epoch_metrics e
                         WHERE e.trial_id = t.id ORDER BY e.epoch DESC LIMIT 1) m ON true
      WHERE t.state IN ('completed', 'pruned', 'diverged', 'stalled', 'failed')) ended
WINDOW w AS (PARTITION BY sweep ORDER BY trials ROWS UNBOUNDED PRECEDING);
