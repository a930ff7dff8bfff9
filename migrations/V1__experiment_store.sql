-- nin's experiment store. Released migrations are never edited; changes go in a new V<n>__ file.

CREATE TABLE sweeps (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT        NOT NULL UNIQUE,
    description   TEXT,
    file          TEXT,
    content_hash  TEXT        NOT NULL,
    content       TEXT        NOT NULL DEFAULT '',
    metric        TEXT        NOT NULL DEFAULT 'validation_accuracy'
        CHECK (metric IN ('validation_accuracy', 'train_loss')),
    planned_trials INTEGER    NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE trials (
    id                  BIGSERIAL PRIMARY KEY,
    sweep_id            BIGINT REFERENCES sweeps (id),
    plan_index          INTEGER,
    attempt             INTEGER     NOT NULL DEFAULT 0,
    lease_expires_at    TIMESTAMPTZ,
    configuration       TEXT        NOT NULL,
    state               TEXT        NOT NULL
        CHECK (state IN ('pending', 'running', 'completed', 'diverged', 'failed', 'interrupted')),
    variant             TEXT        NOT NULL,
    seed                BIGINT      NOT NULL,
    learning_rate       DOUBLE PRECISION NOT NULL,
    epochs              INTEGER     NOT NULL,
    batch_size          INTEGER     NOT NULL,
    resize              INTEGER     NOT NULL,
    momentum            DOUBLE PRECISION NOT NULL,
    nesterov            BOOLEAN     NOT NULL,
    weight_decay        DOUBLE PRECISION NOT NULL,
    dropout             DOUBLE PRECISION NOT NULL,
    train_limit         INTEGER     NOT NULL,
    validation_size     INTEGER     NOT NULL,
    test_limit          INTEGER     NOT NULL,
    config              JSONB       NOT NULL,
    config_hash         TEXT        NOT NULL,
    device              TEXT,
    worker              TEXT,
    started_at          TIMESTAMPTZ,
    heartbeat_at        TIMESTAMPTZ,
    ended_at            TIMESTAMPTZ,
    error               TEXT,
    diverged_at         TEXT,
    weights_sha256      TEXT,
    git_commit          TEXT,
    nin_version         TEXT        NOT NULL,
    djl_version         TEXT,
    tensorflow_version  TEXT,
    java_version        TEXT        NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX trials_sweep_plan ON trials (sweep_id, plan_index);
CREATE INDEX trials_state ON trials (state);

CREATE TABLE epoch_metrics (
    trial_id             BIGINT      NOT NULL REFERENCES trials (id),
    epoch                INTEGER     NOT NULL CHECK (epoch >= 1),
    train_loss           DOUBLE PRECISION NOT NULL,
    train_accuracy       DOUBLE PRECISION NOT NULL,
    validation_accuracy  DOUBLE PRECISION,
    test_accuracy        DOUBLE PRECISION,
    images_per_second    DOUBLE PRECISION NOT NULL,
    train_seconds        DOUBLE PRECISION NOT NULL,
    seconds              DOUBLE PRECISION NOT NULL,
    recorded_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (trial_id, epoch)
);

CREATE TABLE resource_profiles (
    trial_id                        BIGINT PRIMARY KEY REFERENCES trials (id),
    parameters                      BIGINT  NOT NULL,
    multiply_adds                   BIGINT  NOT NULL,
    forward_flops                   BIGINT  NOT NULL,
    training_step_flops             BIGINT  NOT NULL,
    batch_size                      INTEGER NOT NULL,
    training_memory_bytes_estimated   BIGINT NOT NULL,
    prediction_memory_bytes_estimated BIGINT NOT NULL,
    training_memory_bytes_measured    BIGINT,
    prediction_memory_bytes_measured  BIGINT
);

CREATE TABLE artifacts (
    id          BIGSERIAL PRIMARY KEY,
    trial_id    BIGINT      NOT NULL REFERENCES trials (id),
    kind        TEXT        NOT NULL,
    path        TEXT        NOT NULL,
    size_bytes  BIGINT      NOT NULL,
    sha256      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Per-epoch curves with the trial's identity, one row per trial and epoch.
CREATE VIEW epoch_curves AS
SELECT t.id AS trial_id, s.name AS sweep, t.variant, t.learning_rate, t.batch_size, t.resize, t.seed, t.state,
       m.epoch, m.train_loss, m.train_accuracy, m.validation_accuracy, m.test_accuracy, m.images_per_second
FROM trials t
JOIN epoch_metrics m ON m.trial_id = t.id
LEFT JOIN sweeps s ON s.id = t.sweep_id;

-- Each trial's last recorded epoch.
CREATE VIEW trial_results AS
SELECT t.id AS trial_id, s.name AS sweep, t.state, t.configuration, t.variant, t.learning_rate, t.batch_size, t.resize, t.epochs,
       t.momentum, t.weight_decay, t.dropout, t.seed, t.device, m.epoch AS epochs_completed,
       m.train_loss, m.train_accuracy, m.validation_accuracy, m.test_accuracy, m.images_per_second,
       t.started_at, t.ended_at
FROM trials t
LEFT JOIN LATERAL (SELECT * FROM epoch_metrics e WHERE e.trial_id = t.id ORDER BY e.epoch DESC LIMIT 1) m ON true
LEFT JOIN sweeps s ON s.id = t.sweep_id;

-- A sweep's trials ranked by validation accuracy (test accuracy when no validation split was held out).
CREATE VIEW leaderboard AS
SELECT rank() OVER (PARTITION BY r.sweep ORDER BY COALESCE(r.validation_accuracy, r.test_accuracy) DESC NULLS LAST) AS rank,
       r.*
FROM trial_results r
WHERE r.state IN ('completed', 'diverged');

-- Mean, standard deviation and count over seeds of each variant and configuration (completed trials).
CREATE VIEW ablation_comparison AS
SELECT sweep, configuration, variant, learning_rate, batch_size, resize, epochs, momentum, weight_decay, dropout,
       count(*)                        AS trials,
       avg(test_accuracy)              AS test_accuracy_mean,
       stddev_samp(test_accuracy)      AS test_accuracy_std,
       avg(validation_accuracy)        AS validation_accuracy_mean,
       stddev_samp(validation_accuracy) AS validation_accuracy_std,
       avg(train_loss)                 AS train_loss_mean
FROM trial_results
WHERE state = 'completed'
GROUP BY sweep, configuration, variant, learning_rate, batch_size, resize, epochs, momentum, weight_decay, dropout;

-- Identifies this store in MLflow tags, so two stores syncing to one MLflow never mix their runs.
CREATE TABLE store_identity (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO store_identity DEFAULT VALUES;

-- What MLflow has acknowledged, per tracking server: the outbox is everything in the store not yet
-- marked here. Sending is idempotent: run ids are kept, epochs are sent once, and a run lost between
-- creation and this row is found again by its nin.trial_id tag.
CREATE TABLE mlflow_links (
    tracking_uri    TEXT    NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('sweep', 'trial')),
    local_id        BIGINT  NOT NULL,
    experiment_id   TEXT    NOT NULL,
    run_id          TEXT    NOT NULL,
    params_sent     BOOLEAN NOT NULL DEFAULT false,
    epochs_sent     INTEGER NOT NULL DEFAULT 0,
    finished_sent   BOOLEAN NOT NULL DEFAULT false,
    artifacts_sent  BOOLEAN NOT NULL DEFAULT false,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tracking_uri, kind, local_id)
);
