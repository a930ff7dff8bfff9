-- Issue 18, exercise 1: a tuned configuration is retrained in a sweep of its own and the book's
-- setting in another, so the comparison that answers the exercise crosses sweeps.
-- seed_comparison_across(sweep_name, baseline_sweep_name, include_stuck): every configuration of
-- sweep_name against every configuration of baseline_sweep_name (the same sweep: every ordered pair
-- of two different configurations), with the difference of their means, its standard error,
-- Welch's degrees of freedom and 95% interval, and within_noise when the interval holds 0, as V6's
-- seed_comparison gives within a sweep. Both sweep names NULL: every sweep against itself, which is
-- what seed_comparison now returns, so Welch's interval is written once, here.
CREATE FUNCTION seed_comparison_across(sweep_name TEXT, baseline_sweep_name TEXT, include_stuck BOOLEAN)
    RETURNS TABLE (sweep TEXT, baseline_sweep TEXT, metric TEXT, configuration TEXT, baseline TEXT, n BIGINT,
                   baseline_n BIGINT, mean DOUBLE PRECISION, baseline_mean DOUBLE PRECISION,
                   difference DOUBLE PRECISION, standard_error DOUBLE PRECISION, welch_df DOUBLE PRECISION,
                   low DOUBLE PRECISION, high DOUBLE PRECISION, within_noise BOOLEAN)
    LANGUAGE sql STABLE AS $$
WITH groups AS (
    SELECT r.sweep, m.metric, r.configuration, count(m.value) AS n, avg(m.value) AS mean,
           var_samp(m.value) / count(m.value) AS v
    FROM seed_results r
    CROSS JOIN LATERAL (VALUES ('validation_accuracy', r.validation_accuracy),
                               ('test_accuracy', r.test_accuracy)) AS m (metric, value)
    WHERE (include_stuck OR NOT r.stuck) AND m.value IS NOT NULL
      AND (sweep_name IS NULL OR r.sweep IN (sweep_name, baseline_sweep_name))
    GROUP BY r.sweep, m.metric, r.configuration
    HAVING count(m.value) >= 2),
pairs AS (
    SELECT a.sweep, b.sweep AS baseline_sweep, a.metric, a.configuration, b.configuration AS baseline, a.n,
           b.n AS baseline_n, a.mean, b.mean AS baseline_mean, a.mean - b.mean AS difference,
           sqrt(a.v + b.v) AS standard_error,
           CASE WHEN a.v + b.v > 0
                THEN (a.v + b.v) ^ 2 / (a.v ^ 2 / (a.n - 1) + b.v ^ 2 / (b.n - 1)) END AS welch_df
    FROM groups a
    JOIN groups b ON b.metric = a.metric
                 AND (a.sweep <> b.sweep OR a.configuration <> b.configuration)
                 AND CASE WHEN sweep_name IS NULL THEN b.sweep = a.sweep
                          ELSE a.sweep = sweep_name AND b.sweep = baseline_sweep_name END)
SELECT p.sweep, p.baseline_sweep, p.metric, p.configuration, p.baseline, p.n, p.baseline_n, p.mean,
       p.baseline_mean, p.difference, p.standard_error, p.welch_df, p.difference - h.half AS low,
       p.difference + h.half AS high, p.difference - h.half <= 0 AND p.difference + h.half >= 0 AS within_noise
FROM pairs p
CROSS JOIN LATERAL (SELECT COALESCE(t_critical_95(p.welch_df) * p.standard_error, 0) AS half) h
$$;

-- V6's function, restated on the one above (same signature and columns, so seed_differences, which
-- selects from it, is unchanged).
CREATE OR REPLACE FUNCTION seed_comparison(include_stuck BOOLEAN)
    RETURNS TABLE (sweep TEXT, metric TEXT, configuration TEXT, baseline TEXT, n BIGINT, baseline_n BIGINT,
                   mean DOUBLE PRECISION, baseline_mean DOUBLE PRECISION, difference DOUBLE PRECISION,
                   standard_error DOUBLE PRECISION, welch_df DOUBLE PRECISION, low DOUBLE PRECISION,
                   high DOUBLE PRECISION, within_noise BOOLEAN)
    LANGUAGE sql STABLE AS $$
SELECT c.sweep, c.metric, c.configuration, c.baseline, c.n, c.baseline_n, c.mean, c.baseline_mean, c.difference,
       c.standard_error, c.welch_df, c.low, c.high, c.within_noise
FROM seed_comparison_across(NULL, NULL, include_stuck) c
$$;
