package dev.nin.store.queue;

import dev.nin.store.TrialState;
import dev.nin.store.TrialConfig;
import dev.nin.store.SweepEntity;
import dev.nin.store.EpochMetricEntity;
import dev.nin.store.TrialEntity;
import dev.nin.store.StoreException;
import dev.nin.store.Store;
import dev.nin.config.UsageException;
import dev.nin.model.ModelSpec;

import dev.nin.data.DataOptions;
import dev.nin.model.NetworkPlan;
import dev.nin.model.OptimizerSpec;
import dev.nin.train.TrainConfig;

import io.quarkus.narayana.jta.QuarkusTransaction;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sweeps and their trials in the store: enqueueing a plan idempotently, and handing trials to
 * workers with {@code SELECT … FOR UPDATE SKIP LOCKED} and a lease, so any number of workers on
 * any machines share one sweep and a trial whose worker died is claimed again.
 */
@ApplicationScoped
public class SweepStore {

    /** What to do when a sweep of the same name but other content exists. */
    public enum Mode {
        /** Refuse: the user must say --new or --extend. */
        SAME_ONLY,
        /** Keep the old sweep under a new name (name~id) and start this one fresh. */
        NEW,
        /** Add this file's trials that the sweep lacks, keep what it has. */
        EXTEND
    }

    /**
     * A sweep as the store keeps it. The store defines it (not the sweep file's type) so that it
     * knows nothing of sweep files; {@code sweep/} maps its SweepFile to it.
     *
     * @param contentHash identifies the file's content: equal hashes, same sweep
     * @param metricColumn what its trials are ranked by: validation_accuracy or train_loss
     * @param strategy grid, random or tpe
     * @param budget configurations drawn (random) or asked for (tpe); 0 for grid
     */
    public record Definition(String name, String description, String file, String content, String contentHash,
            String metricColumn, String strategy, int budget) {
        /** The strategy whose trials are created when workers ask, not when the sweep is stored. */
        public static final String ASKED_STRATEGY = "tpe";

        public boolean asked() {
            return strategy.equals(ASKED_STRATEGY);
        }
    }

    /** One planned trial to queue: the network and config it will train, on which data, and its configuration in words. */
    public record QueuedTrial(NetworkPlan network, TrainConfig config, DataOptions data, String configuration) {}

    /**
     * What enqueueing did.
     *
     * @param joined whether a stored sweep of this name took the file (same content, or --extend)
     *     rather than a new sweep being made
     */
    public record Enqueued(long sweepId, int added, int existing, Optional<String> renamedOld, boolean joined) {}

    /** A trial handed to this worker. */
    public record Claim(long trialId, int attempt, int planIndex, long sweepId, String sweepName, int recordedEpochs,
            int plannedTrials) {}

    private final Store store;

    @Inject
    public SweepStore(Store store) {
        this.store = store;
    }

    /**
     * Stores the sweep and its planned trials as pending; running the same file again adds nothing.
     *
     * @throws IllegalArgumentException when a sweep of this name has other content and mode is SAME_ONLY
     */
    public Enqueued enqueue(Definition sweep, List<QueuedTrial> plan, Mode mode) {
        store.open();
        return QuarkusTransaction.requiringNew().call(() -> {
            // One enqueuer per sweep name at a time, across processes and machines, serialised with
            // the sweep's retries and pruning decisions (the same lock).
            SweepLock.lock(TrialEntity.getEntityManager(), sweep.name());
            SweepEntity existing = SweepEntity.find("name", sweep.name()).firstResult();
            Optional<String> renamed = Optional.empty();
            if (existing != null && !existing.contentHash.equals(sweep.contentHash())) {
                if (mode == Mode.SAME_ONLY) {
                    throw new UsageException("sweep " + sweep.name() + ": the store already has a sweep of this name"
                            + " with other content (from " + existing.file + ", " + existing.createdAt.toLocalDate()
                            + "). Rerun with --extend to add this file's new trials to it, or --new to keep the old one as '"
                            + sweep.name() + "~" + existing.id + "' and start afresh. Nothing was written.");
                }
                if (mode == Mode.NEW) {
                    existing.name = sweep.name() + "~" + existing.id;
                    existing.persistAndFlush();
                    renamed = Optional.of(existing.name);
                    existing = null;
                }
            }
            boolean joined = existing != null;
            SweepEntity s = existing == null ? new SweepEntity() : existing;
            s.name = sweep.name();
            s.description = sweep.description();
            s.file = sweep.file();
            s.contentHash = sweep.contentHash();
            s.content = sweep.content();
            s.metric = sweep.metricColumn();
            s.strategy = sweep.strategy();
            s.budget = sweep.strategy().equals("grid") ? null : sweep.budget();
            s.updatedAt = java.time.OffsetDateTime.now();
            s.persistAndFlush();

            Set<String> present = new HashSet<>();
            int nextIndex = 0;
            for (TrialEntity t : TrialEntity.<TrialEntity>list("sweepId", s.id)) {
                present.add(t.configHash);
                nextIndex = Math.max(nextIndex, t.planIndex + 1);
            }
            int added = 0;
            for (QueuedTrial p : plan) {
                TrialEntity t = new TrialEntity();
                TrialRecorder.describe(t, p.network(), p.config(), p.data(), p.configuration());
                if (present.contains(t.configHash)) {
                    continue;
                }
                t.sweepId = s.id;
                t.planIndex = nextIndex++;
                t.state = TrialState.PENDING.value;
                t.persist();
                present.add(t.configHash);
                added++;
            }
            long stored = TrialEntity.count("sweepId", s.id);
            // An asked sweep plans its budget (and any retries queued so far) though its rows come one ask at a time.
            s.plannedTrials = (int) (sweep.asked() ? Math.max(stored, sweep.budget() + TrialEntity.count("sweepId = ?1 and retryOf is not null", s.id))
                    : stored);
            s.persist();
            return new Enqueued(s.id, added, (int) stored - added, renamed, joined);
        });
    }

    /** A trial queued to retry a stalled one. */
    public record Retry(long id, long seed) {}

    /**
     * Queues {@code stalledId}'s configuration again with the next seed no trial of its sweep has
     * used for that configuration, unless it has been retried {@code maxRetries} times already.
     */
    public Optional<Retry> retryWithNextSeed(long stalledId, ModelSpec spec, TrainConfig config, DataOptions data,
            int maxRetries) {
        return QuarkusTransaction.requiringNew().call(() -> {
            TrialEntity stalled = TrialEntity.findById(stalledId);
            // Serialised with other retries and enqueues of this sweep: no two retries pick one seed.
            SweepLock.lock(TrialEntity.getEntityManager(), stalled.sweepId);
            long root = stalled.retryOf != null ? stalled.retryOf : stalled.id;
            if (TrialEntity.count("retryOf", root) >= maxRetries) {
                return Optional.<Retry>empty();
            }
            long seed = stalled.seed;
            for (TrialEntity t : TrialEntity.<TrialEntity>list("sweepId = ?1 and configuration = ?2", stalled.sweepId,
                    stalled.configuration)) {
                seed = Math.max(seed, t.seed);
            }
            TrainConfig next = config.withSeed(seed + 1);
            TrialEntity retry = new TrialEntity();
            TrialRecorder.describe(retry, next.plan(spec), next, data, stalled.configuration);
            retry.sweepId = stalled.sweepId;
            retry.planIndex = TrialEntity.find("sweepId", stalled.sweepId).stream()
                    .mapToInt(t -> ((TrialEntity) t).planIndex).max().orElse(-1) + 1;
            retry.state = TrialState.PENDING.value;
            retry.retryOf = root;
            retry.persist();
            SweepEntity sweep = SweepEntity.findById(stalled.sweepId);
            // One more than before (a TPE sweep plans its budget before its trials exist).
            sweep.plannedTrials++;
            return Optional.of(new Retry(retry.id, retry.seed));
        });
    }

    /** Every trial of a sweep that failed or diverged goes back to pending. */
    public int retryFailed(long sweepId) {
        return QuarkusTransaction.requiringNew().call(() -> TrialEntity.update(
                "state = ?1, error = null, divergedAt = null, endedAt = null where sweepId = ?2 and state in ?3",
                TrialState.PENDING.value, sweepId, TrialState.list(TrialState.RETRYABLE)));
    }

    /**
     * Of {@code trialIds}, those that ended for good (completed, diverged, failed, stalled or
     * pruned): their checkpoints are of no further use, as a retry starts over. A kill between a
     * trial's last commit and the deletion of its checkpoints leaves such folders behind.
     */
    public Set<Long> endedForGood(java.util.Collection<Long> trialIds) {
        if (trialIds.isEmpty()) {
            return Set.of();
        }
        Set<TrialState> ended = java.util.EnumSet.of(TrialState.COMPLETED, TrialState.DIVERGED, TrialState.FAILED,
                TrialState.STALLED, TrialState.PRUNED);
        Set<Long> out = new HashSet<>();
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT id FROM trials WHERE id = ANY (?) AND state = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", trialIds.toArray()));
            s.setArray(2, c.createArrayOf("text", TrialState.list(ended).toArray()));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not read trial states at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * What claiming sets on {@code trials t}: running, by this worker (parameters: the running
     * state, the worker, the lease in seconds), a new attempt, a fresh lease. The one definition,
     * for a claim of a stored trial and for a trial created by an ask ({@link SweepAsks}).
     */
    static final String CLAIM_SET = """
            state = ?, worker = ?, attempt = t.attempt + 1, started_at = coalesce(t.started_at, now()),
            heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => ?), ended_at = NULL, error = NULL
            """;

    /**
     * The claims, in the order a worker tries them: a running trial whose lease expired (its worker
     * is gone; few trials are running, read through {@code trials_state}), then the first trial in
     * plan order that is pending or interrupted. Each skips rows other claimers hold and makes the
     * trial this worker's. Parameters: the sweep id twice (NULL: any sweep), the running state, the
     * worker, the lease in seconds.
     *
     * <p>The queued claim names its states as literals ({@link TrialState#sqlLiterals}) and nothing
     * else, so that the planner can prove the predicate of the partial index {@code trials_claimable}
     * (V9) and read only claimable trials, not every ended trial before them (SweepLockIT checks the
     * plan): one query with both kinds (an OR) cannot use it.
     */
    public static final String CLAIM_EXPIRED = claim("state IN " + TrialState.sqlLiterals(EnumSet.of(TrialState.RUNNING))
            + " AND lease_expires_at < now()");

    /** The second claim of {@link #CLAIM_EXPIRED}: the first pending or interrupted trial in plan order. */
    public static final String CLAIM_QUEUED = claim("state IN " + TrialState.sqlLiterals(TrialState.CLAIMABLE));

    private static String claim(String candidates) {
        return """
                WITH next AS (
                    SELECT id FROM trials
                    WHERE sweep_id IS NOT NULL AND (sweep_id = ? OR ?::bigint IS NULL) AND %s
                    ORDER BY sweep_id, plan_index
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1)
                UPDATE trials t SET %s
                FROM next WHERE t.id = next.id
                RETURNING t.id, t.attempt, t.plan_index, t.sweep_id,
                          (SELECT name FROM sweeps WHERE id = t.sweep_id),
                          (SELECT planned_trials FROM sweeps WHERE id = t.sweep_id),
                          (SELECT coalesce(max(epoch), 0) FROM epoch_metrics WHERE trial_id = t.id)""".formatted(candidates,
                CLAIM_SET);
    }

    /**
     * Claims the next trial to run: pending, interrupted, or running with an expired lease.
     *
     * @param sweepId only this sweep, or null for any sweep
     */
    public Optional<Claim> claim(Long sweepId, String worker) {
        try (Connection c = store.connection()) {
            return claim(c, sweepId, worker, Store.LEASE_SECONDS);
        } catch (SQLException e) {
            throw new StoreException("could not claim a trial at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #claim(Long, String)}, on the caller's connection (a benchmark's claimers each
     * have their own) and with a lease of {@code leaseSeconds}: the one definition of a claim.
     * First marks trials whose process is gone as interrupted, then claims in a transaction of its
     * own; the connection's auto-commit setting is as it was afterwards.
     */
    public Optional<Claim> claim(Connection c, Long sweepId, String worker, int leaseSeconds) {
        store.markAbandonedTrials(c);
        try {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Optional<Claim> claim = claimOne(c, CLAIM_EXPIRED, sweepId, worker, leaseSeconds);
                if (claim.isEmpty()) {
                    claim = claimOne(c, CLAIM_QUEUED, sweepId, worker, leaseSeconds);
                }
                c.commit();
                return claim;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreException("could not claim a trial at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * From this attempt on, a trial a worker could not start is marked failed rather than given back:
     * a setup error of the trial's own (not the worker's) would otherwise send every worker to it in
     * turn, for good.
     */
    public static final int GIVE_BACK_ATTEMPTS = 3;

    /**
     * Gives a claimed trial back: this worker could not start it (its dataset unreadable, TensorFlow
     * not loading), which says nothing of the trial. It becomes interrupted at once, claimable by the
     * next worker, with {@code reason} as its error, instead of running until its lease or process
     * check expires; from attempt {@link #GIVE_BACK_ATTEMPTS} on it becomes failed
     * ({@code --retry-failed} queues it again). Nothing is written when the claim is no longer this
     * attempt's.
     */
    public void release(Claim claim, String reason) {
        boolean fail = claim.attempt() >= GIVE_BACK_ATTEMPTS;
        TrialState state = fail ? TrialState.FAILED : TrialState.INTERRUPTED;
        String error = store.redact(reason) + (fail ? " (attempt " + claim.attempt() + ": marked failed so that workers stop"
                + " taking it; ./nin sweep --retry-failed queues it again)" : "");
        try (Connection c = store.connection()) {
            TrialRecorder.endAttempt(c, claim.trialId(), claim.attempt(), state, error, null, null, null);
        } catch (SQLException e) {
            throw new StoreException("could not give trial " + claim.trialId() + " back at " + store.redactedUrl() + ": "
                    + store.redact(e.getMessage()), e);
        }
    }

    private static Optional<Claim> claimOne(Connection c, String sql, Long sweepId, String worker, int leaseSeconds)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, sweepId, java.sql.Types.BIGINT);
            s.setObject(2, sweepId, java.sql.Types.BIGINT);
            s.setString(3, TrialState.RUNNING.value);
            s.setString(4, worker);
            s.setInt(5, leaseSeconds);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new Claim(r.getLong(1), r.getInt(2), r.getInt(3), r.getLong(4), r.getString(5), r.getInt(7),
                                r.getInt(6)))
                        : Optional.empty();
            }
        }
    }

    /** Drops a claimed trial's epochs after {@code keep} (it restarts without a checkpoint for them). */
    public void forgetEpochsAfter(long trialId, int keep) {
        QuarkusTransaction.requiringNew().run(() -> EpochMetricEntity.delete("trialId = ?1 and epoch > ?2", trialId, keep));
    }

    public Optional<StoredSweep> find(String name) {
        store.open();
        return QuarkusTransaction.requiringNew().call(() -> SweepEntity.<SweepEntity>find("name", name).firstResultOptional()
                .map(StoredSweep::of));
    }

    /** The sweep stored under {@code sweepId}; a worker reads its file from here, not from its own disk. */
    public StoredSweep find(long sweepId) {
        store.open();
        SweepEntity sweep = QuarkusTransaction.requiringNew().call(() -> SweepEntity.<SweepEntity>findById(sweepId));
        if (sweep == null) {
            throw new StoreException("sweep " + sweepId + " is not in " + store.redactedUrl() + " (deleted while its trials ran?)");
        }
        return StoredSweep.of(sweep);
    }

    /**
     * A stored sweep as its readers see it (the entity stays in the store).
     *
     * @param metric the column it ranks by, as {@link dev.nin.config.Metric#column}
     * @param content the sweep file's text, so a worker on another machine runs exactly what was enqueued
     */
    public record StoredSweep(long id, String name, String file, String content, String contentHash, String metric) {
        static StoredSweep of(SweepEntity e) {
            return new StoredSweep(e.id, e.name, e.file, e.content, e.contentHash, e.metric);
        }
    }

    /**
     * What a claimed trial trains, read from its row: the network (its stored spec, with the trial's
     * dropout), the training configuration (hyperparameters, threads and training options as stored),
     * the data limits, and its label.
     */
    public record Training(long trialId, String configuration, ModelSpec model, TrainConfig config, DataOptions data) {}

    /** The training of trial {@code trialId}, as {@link Training} describes it. */
    public Training training(long trialId) {
        store.open();
        TrialEntity t = QuarkusTransaction.requiringNew().call(() -> TrialEntity.<TrialEntity>findById(trialId));
        if (t == null) {
            throw new StoreException("trial " + trialId + " is not in " + store.redactedUrl());
        }
        ModelSpec spec = TrialConfig.modelOf(t.config, t.variant, t.dropout);
        TrainConfig config = new TrainConfig(t.learningRate, t.epochs, t.batchSize, t.resize, t.seed,
                new OptimizerSpec(t.momentum, t.nesterov, t.weightDecay), OptionalDouble.of(t.dropout), threads(t.config),
                TrialConfig.optionsOf(t.config));
        return new Training(t.id, t.configuration, spec, config, new DataOptions(t.trainLimit, t.validationSize, t.testLimit));
    }

    /** The TensorFlow threads a trial's stored config asks for; 0 (TensorFlow's default) when it says none. */
    private static int threads(String configJson) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(configJson).path("threads").asInt(0);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("a trial's config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** e.g. "3 completed, 1 diverged, 2 pending". */
    public String describeStates(long sweepId) {
        StringBuilder states = new StringBuilder();
        for (String[] row : stateCounts(sweepId)) {
            states.append(states.length() == 0 ? "" : ", ").append(row[1]).append(' ').append(row[0]);
        }
        return states.length() == 0 ? "no trials" : states.toString();
    }

    /** Trials of a sweep per state. */
    public List<String[]> stateCounts(long sweepId) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT state, count(*) FROM trials WHERE sweep_id = ? GROUP BY state ORDER BY state")) {
            s.setLong(1, sweepId);
            List<String[]> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new String[] {r.getString(1), r.getString(2)});
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("could not read sweep " + sweepId + ": " + e.getMessage(), e);
        }
    }
}
