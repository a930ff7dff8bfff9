-- Issue 18: honest comparisons over seeds. A trial that never left the ln 10 loss plateau measures
-- luck, not its configuration: it is flagged, left out of means and differences, and counted beside
-- them. A difference between two configurations comes with its 95% interval (Welch's t), and says
-- when it is within noise.

-- The 95% two-sided critical value of Student's t with df degrees of freedom (df >= 1, not
-- necessarily whole, as Welch's are): the t with P(|T| <= t) = 0.95. With x = sqrt(df) tan(theta)
-- the t density becomes cos(theta)^(df - 1) on [0, pi/2); theta = pi/2 (1 - (1 - s)^2) grades the
-- grid towards pi/2, where that integrand is not smooth for df < 2. The trapezoid rule on 10,000
-- steps of s and a linear step between the two grid points around 95% of the area give t to 5e-5
-- (tested against Apache Commons Statistics' TDistribution for df from 1 to 1,000; 1e-6 below df
-- 10), in about 30 ms. exp(greatest(..., -700)) keeps PostgreSQL from raising an underflow error.
CREATE FUNCTION t_critical_95(df DOUBLE PRECISION) RETURNS DOUBLE PRECISION
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
WITH grid AS (
    SELECT i, s, CASE WHEN i = 10000 THEN 0.0
                      ELSE exp(greatest((df - 1) * ln(cos(pi() / 2 * (1 - (1 - s) ^ 2))), -700)) * (1 - s) END AS f
    FROM generate_series(0, 10000) AS i
    CROSS JOIN LATERAL (SELECT i::double precision / 10000 AS s) AS x),
area AS (
    SELECT i, s, sum(f) OVER (ORDER BY i) - (f + first_value(f) OVER (ORDER BY i)) / 2 AS a
    FROM grid),
steps AS (
    SELECT s, a, lag(s) OVER (ORDER BY i) AS s0, lag(a) OVER (ORDER BY i) AS a0, 0.95 * max(a) OVER () AS target
    FROM area)
SELECT sqrt(df) * tan(pi() / 2 * (1 - (1 - (s0 + (s - s0) * (target - a0) / (a - a0))) ^ 2))
FROM steps
WHERE a >= target AND a0 < target
$$;

-- Each completed or stalled trial with its final figures and whether it is stuck on the plateau:
-- stopped as stalled, or its final training loss within the stall band of ln 10 (the sweep's
-- stall.band, or the documented default 0.02 nats when the sweep set none).
CREATE VIEW seed_results AS
SELECT r.sweep, r.trial_id, r.configuration, r.variant, r.seed, r.state, r.epochs_completed, r.train_loss,
       r.validation_accuracy, r.test_accuracy, b.band AS plateau_band,
       (r.state = 'stalled' OR abs(r.train_loss - ln(10)) <= b.band) AS stuck
FROM trial_results r
JOIN trials t ON t.id = r.trial_id
CROSS JOIN LATERAL (SELECT COALESCE(NULLIF((t.config #>> '{stall,band}')::double precision, 0), 0.02) AS band) b
WHERE r.state IN ('completed', 'stalled');

-- Per configuration: how many trials ended (completed or stalled), how many of them are stuck, and
-- the mean and sample standard deviation over the others (n of them); the *_all columns count the
-- stuck trials in.
CREATE VIEW seed_statistics AS
SELECT sweep, configuration, variant,
       count(*)                                                   AS trials,
       count(*) FILTER (WHERE stuck)                              AS stuck,
       count(*) FILTER (WHERE NOT stuck)                          AS n,
       avg(validation_accuracy) FILTER (WHERE NOT stuck)          AS validation_accuracy_mean,
       stddev_samp(validation_accuracy) FILTER (WHERE NOT stuck)  AS validation_accuracy_std,
       avg(test_accuracy) FILTER (WHERE NOT stuck)                AS test_accuracy_mean,
       stddev_samp(test_accuracy) FILTER (WHERE NOT stuck)        AS test_accuracy_std,
       avg(validation_accuracy)                                   AS validation_accuracy_mean_all,
       stddev_samp(validation_accuracy)                           AS validation_accuracy_std_all,
       avg(test_accuracy)                                         AS test_accuracy_mean_all,
       stddev_samp(test_accuracy)                                 AS test_accuracy_std_all
FROM seed_results
GROUP BY sweep, configuration, variant;

-- Every ordered pair of configurations of a sweep with at least two measured seeds each: the
-- difference of their means (configuration minus baseline) in validation and test accuracy, its
-- standard error, Welch's degrees of freedom and 95% interval, and within_noise when the interval
-- holds 0. Stuck trials are left out unless include_stuck.
CREATE FUNCTION seed_comparison(include_stuck BOOLEAN)
    RETURNS TABLE (sweep TEXT, metric TEXT, configuration TEXT, baseline TEXT, n BIGINT, baseline_n BIGINT,
                   mean DOUBLE PRECISION, baseline_mean DOUBLE PRECISION, difference DOUBLE PRECISION,
                   standard_error DOUBLE PRECISION, welch_df DOUBLE PRECISION, low DOUBLE PRECISION,
                   high DOUBLE PRECISION, within_noise BOOLEAN)
    LANGUAGE sql STABLE AS $$
WITH groups AS (
    SELECT r.sweep, m.metric, r.configuration, count(m.value) AS n, avg(m.value) AS mean,
           var_samp(m.value) / count(m.value) AS v
    FROM seed_results r
    CROSS JOIN LATERAL (VALUES ('validation_accuracy', r.validation_accuracy),
                               ('test_accuracy', r.test_accuracy)) AS m (metric, value)
    WHERE (include_stuck OR NOT r.stuck) AND m.value IS NOT NULL
    GROUP BY r.sweep, m.metric, r.configuration
    HAVING count(m.value) >= 2),
pairs AS (
    SELECT a.sweep, a.metric, a.configuration, b.configuration AS baseline, a.n, b.n AS baseline_n,
           a.mean, b.mean AS baseline_mean, a.mean - b.mean AS difference, sqrt(a.v + b.v) AS standard_error,
           CASE WHEN a.v + b.v > 0
                THEN (a.v + b.v) ^ 2 / (a.v ^ 2 / (a.n - 1) + b.v ^ 2 / (b.n - 1)) END AS welch_df
    FROM groups a
    JOIN groups b ON b.sweep = a.sweep AND b.metric = a.metric AND b.configuration <> a.configuration)
SELECT p.sweep, p.metric, p.configuration, p.baseline, p.n, p.baseline_n, p.mean, p.baseline_mean, p.difference,
       p.standard_error, p.welch_df, p.difference - h.half AS low, p.difference + h.half AS high,
       p.difference - h.half <= 0 AND p.difference + h.half >= 0 AS within_noise
FROM pairs p
CROSS JOIN LATERAL (SELECT COALESCE(t_critical_95(p.welch_df) * p.standard_error, 0) AS half) h
$$;

CREATE VIEW seed_differences AS
SELECT * FROM seed_comparison(false);
