-- A claim takes the first pending or interrupted trial in plan order. Walking trials_sweep_plan from
-- the start, it read every ended trial before the first claimable one: one claim cost O(trials
-- ended), a sweep's claims O(n^2) (./nin bench claims, 8 claimers: 868 claims/s at 5,000 trials, 174
-- at 40,000). This index holds only the claimable trials, so a claim reads about as many rows as
-- there are claimers. Its predicate is TrialState.CLAIMABLE; the claim names these states as
-- literals, so the planner can prove the predicate (SweepLockIT checks the plan).
CREATE INDEX trials_claimable ON trials (sweep_id, plan_index) WHERE state IN ('pending', 'interrupted');
