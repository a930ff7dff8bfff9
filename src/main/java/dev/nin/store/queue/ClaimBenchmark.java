package dev.nin.store.queue;

import dev.nin.store.TrialState;
import dev.nin.store.Workers;
import dev.nin.store.StoreException;
import dev.nin.store.Store;
import dev.nin.store.queue.TrialRecorder;
import dev.nin.store.queue.SweepAsks;
import dev.nin.store.queue.SweepStore;
import dev.nin.store.server.DatabaseLogins;
import dev.nin.store.server.EmbeddedPostgresServer;
import dev.nin.config.UsageException;
import dev.nin.train.Provenance;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The coordination limit, measured (issue 15): concurrent claimers, each a thread with its own
 * connection, claim the trials of a throwaway sweep through the real claim
 * ({@link SweepStore#claim(Connection, Long, String, int)}) and end each at once with the
 * recorder's end statement ({@link TrialRecorder#endAttempt}), so trials take no training time and
 * what is left is the store's cost per trial. Optionally some claimers are "killed": they stop
 * holding a claimed trial, without ending it or renewing its lease, and the others claim it again
 * once the lease expires. Every run then checks, in the store and in what the claimers saw, that
 * each trial was completed exactly once and claimed again only after a lease expired. The sweep is
 * bulk-inserted for the run and deleted after it, whatever happens.
 */
@ApplicationScoped
public class ClaimBenchmark {

    public static final String CLAIMERS_DEFAULT = "8,32,128";
    public static final int CLAIMERS_MAX = 1_000;
    public static final int TRIALS_DEFAULT = 10_000;
    /** With asks every ask reads and models the whole history, so a run costs O(trials^2): TPE budgets are tens to hundreds. */
    public static final int ASKED_TRIALS_DEFAULT = 500;
    public static final int TRIALS_MAX = 1_000_000;
    public static final double KILL_FRACTION_DEFAULT = 0.25;
    /** At least one claimer in ten lives to finish the sweep. */
    public static final double KILL_FRACTION_MAX = 0.9;
    /** The lease of the kill runs: short, so the benchmark waits seconds, not minutes, for expired leases. */
    public static final int LEASE_SECONDS_DEFAULT = 2;
    public static final int LEASE_SECONDS_MAX = Store.LEASE_SECONDS;
    /** Sweeps the benchmark makes are named this, a timestamp and the run's number. */
    public static final String SWEEP_PREFIX = "bench-claims-";

    /** How long a claimer that found nothing to claim waits before it tries again (a kill run waits for leases). */
    private static final long POLL_MILLIS = 100;
    /** A run in which no trial completes for this long (beyond the lease) is stopped as stuck. */
    private static final long STUCK_SECONDS = 60;
    private static final long PROGRESS_SECONDS = 5;

    /** What to run; the constructor checks the ranges, naming the flag. */
    public record Options(List<Integer> claimers, int trials, double killFraction, int leaseSeconds) {
        public Options {
            if (claimers == null || claimers.isEmpty()) {
                throw new UsageException("--claimers: expected one or more counts, comma-separated, e.g. "
                        + CLAIMERS_DEFAULT);
            }
            for (int n : claimers) {
                check("--claimers", n, 1, CLAIMERS_MAX);
            }
            claimers = List.copyOf(claimers);
            check("--trials", trials, 1, TRIALS_MAX);
            if (!(killFraction >= 0 && killFraction <= KILL_FRACTION_MAX)) {
                throw new UsageException(String.format(Locale.ROOT, "--kill-fraction: expected 0 to %s, found %s",
                        KILL_FRACTION_MAX, killFraction));
            }
            check("--lease-seconds", leaseSeconds, 1, LEASE_SECONDS_MAX);
        }

        private static void check(String flag, int value, int min, int max) {
            if (value < min || value > max) {
                throw new UsageException(String.format(Locale.ROOT, "%s: expected %,d to %,d, found %,d", flag, min,
                        max, value));
            }
        }

        /** The kill fractions to run for each count of claimers: 0, and the option's when it is not 0. */
        public List<Double> killFractions() {
            return killFraction == 0 ? List.of(0.0) : List.of(0.0, killFraction);
        }

        /** How many of {@code n} claimers a kill run stops: the fraction rounded, at least one, never all. */
        public int killed(int n, double fraction) {
            if (fraction == 0) {
                return 0;
            }
            return (int) Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
        }
    }

    /**
     * The server, as the benchmark found it.
     *
     * @param available connections the owner role may still open (max_connections less the
     *        reserved ones and those in use)
     * @param local whether it runs on this machine (embedded, or a loopback address), sharing its CPUs
     */
    public record Server(String version, int maxConnections, int reserved, int inUse, int available, String url,
            boolean embedded, boolean local) {}

    /**
     * One run's figures and checks.
     *
     * @param claims trials handed out (a trial claimed again after its lease expired counts twice)
     * @param emptyPolls claims that found nothing (waiting for a lease to expire, or the last trials); not timed
     * @param refused ends refused because the claim was lost (a live claimer slower than the lease)
     * @param killed claimers that stopped holding a trial
     * @param reclaimed claims of a trial whose earlier attempt's lease had expired (attempts recorded 'lost')
     * @param problem empty when exactly once holds, else what did not
     */
    public record Run(int claimers, double killFraction, int killed, int trials, double seconds, long claims,
            double claimsPerSecond, double p50Millis, double p99Millis, long emptyPolls, int refused, long reclaimed,
            String sweep, String problem) {
        public boolean exactlyOnce() {
            return problem.isEmpty();
        }
    }

    private final Store store;
    private final SweepStore sweeps;

    @Inject
    public ClaimBenchmark(Store store, SweepStore sweeps) {
        this.store = store;
        this.sweeps = sweeps;
    }

    /** Opens the store and reads the server's version and connection limits. */
    public Server server() {
        store.open();
        try (Connection c = store.connection(); PreparedStatement s = c.prepareStatement("""
                SELECT current_setting('server_version'), current_setting('max_connections')::int,
                       current_setting('superuser_reserved_connections')::int
                           + coalesce(current_setting('reserved_connections', true), '0')::int,
                       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::int""");
                ResultSet r = s.executeQuery()) {
            r.next();
            int max = r.getInt(2);
            int reserved = r.getInt(3);
            int inUse = r.getInt(4);
            return new Server(r.getString(1), max, reserved, inUse, max - reserved - inUse, store.redactedUrl(),
                    store.isEmbedded(), store.isEmbedded() || isLoopback(store.jdbcUrl()));
        } catch (SQLException e) {
            throw new StoreException("could not read the server's settings at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    private static boolean isLoopback(String jdbcUrl) {
        try {
            String host = URI.create(jdbcUrl.substring("jdbc:".length())).getHost();
            return host == null || host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                    || host.equals(Workers.host());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Refuses, in one line, a count of claimers the server has no connections for. */
    public void checkConnections(Server server, int claimers) {
        if (claimers > server.available()) {
            String raise = server.embedded() && server.maxConnections() < EmbeddedPostgresServer.MAX_CONNECTIONS
                    ? "or ./nin db stop and run it again: an older nin started this embedded server, this one starts it with"
                            + " max_connections " + EmbeddedPostgresServer.MAX_CONNECTIONS
                    : server.embedded() ? "or stop the other nin processes that hold connections"
                    : "or ask the server's administrator to raise max_connections (postgresql.conf)";
            throw new UsageException(String.format(Locale.ROOT, "--claimers %d: each claimer needs a connection of"
                    + " its own, and the server at %s takes %d more (max_connections %d, %d reserved for superusers, %d in"
                    + " use). Lower --claimers, %s.", claimers, server.url(), Math.max(0, server.available()),
                    server.maxConnections(), server.reserved(), server.inUse(), raise));
        }
    }

    /** Trials running in the store now: workers at work, whose sweeps a benchmark would slow (and a worker without --sweep would claim its trials). */
    public int runningTrials() {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM trials WHERE state = ?")) {
            s.setString(1, TrialState.RUNNING.value);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count running trials at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * One run: creates the sweep, runs {@code claimers} claimers until every trial is completed
     * (or the run is stuck), checks exactly once, and deletes the sweep.
     *
     * @param sweepName a name no sweep has; see {@link #SWEEP_PREFIX}
     * @param leaseSeconds the claims' lease
     * @param progress lines to show while it runs
     */
    public Run run(String sweepName, int claimers, int trials, double killFraction, int killed, int leaseSeconds,
            Consumer<String> progress) {
        return run(sweepName, claimers, trials, killFraction, killed, leaseSeconds, null, progress);
    }

    /**
     * As {@link #run(String, int, int, double, int, int, Consumer)}; with a {@code sampler}, the
     * sweep is an asked one (strategy tpe, budget {@code trials}) that starts empty: a claimer
     * that finds nothing to claim asks it for a trial ({@link SweepAsks#ask}, the sampler's model
     * fit under the sweep's lock), and tells it a synthetic validation accuracy before ending it.
     */
    public Run run(String sweepName, int claimers, int trials, double killFraction, int killed, int leaseSeconds,
            SweepAsks.Sampler sampler, Consumer<String> progress) {
        long sweepId = sampler == null ? createSweep(sweepName, trials, progress) : createAskedSweep(sweepName, trials, progress);
        try {
            return claimAll(sweepId, sweepName, claimers, trials, killFraction, killed, leaseSeconds, sampler, progress);
        } finally {
            deleteSweep(sweepId);
            progress.accept("deleted sweep " + sweepName + " and its trials");
        }
    }

    /** The sweep and its pending trials, in one INSERT … SELECT over generate_series. */
    private long createSweep(String name, int trials, Consumer<String> progress) {
        long start = System.nanoTime();
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                long id;
                try (PreparedStatement s = c.prepareStatement("INSERT INTO sweeps (name, description, content_hash, planned_trials)"
                        + " VALUES (?, ?, ?, ?) RETURNING id")) {
                    s.setString(1, name);
                    s.setString(2, "./nin bench claims: a throwaway sweep, deleted when the benchmark ends");
                    s.setString(3, name);
                    s.setInt(4, trials);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        id = r.getLong(1);
                    }
                }
                try (PreparedStatement s = c.prepareStatement("""
                        INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate, epochs,
                                            batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit,
                                            validation_size, test_limit, config, config_hash, nin_version, java_version)
                        SELECT ?, i, 'claim benchmark trial ' || i, ?, 'bench-claims', i, 0.01, 1, 128, 224, 0.9, false, 0, 0,
                               0, 0, 0, '{}'::jsonb, 'bench-claims-' || i, ?, ?
                        FROM generate_series(0, ? - 1) AS i""")) {
                    s.setLong(1, id);
                    s.setString(2, TrialState.PENDING.value);
                    s.setString(3, Provenance.buildVersion());
                    s.setString(4, System.getProperty("java.version"));
                    s.setInt(5, trials);
                    s.executeUpdate();
                }
                c.commit();
                progress.accept(String.format(Locale.ROOT, "created sweep %s: %,d pending trials in one INSERT (%.1f s)", name,
                        trials, (System.nanoTime() - start) / 1e9));
                return id;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not create the benchmark's sweep " + name + " at " + store.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /** An asked sweep of budget {@code trials} and no trials yet: workers create them by asking. */
    private long createAskedSweep(String name, int trials, Consumer<String> progress) {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("INSERT INTO sweeps (name, description, content_hash, planned_trials,"
                        + " metric, strategy, budget) VALUES (?, ?, ?, ?, 'validation_accuracy', ?, ?) RETURNING id")) {
            s.setString(1, name);
            s.setString(2, "./nin bench claims --asks: a throwaway sweep, deleted when the benchmark ends");
            s.setString(3, name);
            s.setInt(4, trials);
            s.setString(5, SweepStore.Definition.ASKED_STRATEGY);
            s.setInt(6, trials);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                progress.accept(String.format(Locale.ROOT, "created sweep %s: strategy tpe, budget %,d, no trials yet", name, trials));
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not create the benchmark's sweep " + name + " at " + store.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Deletes the sweep with everything that refers to its trials (a worker without --sweep may have touched them). */
    private void deleteSweep(long sweepId) {
        String trialsOf = "(SELECT id FROM trials WHERE sweep_id = ?)";
        List<String> statements = List.of(
                "DELETE FROM trial_attempts WHERE trial_id IN " + trialsOf,
                "DELETE FROM epoch_metrics WHERE trial_id IN " + trialsOf,
                "DELETE FROM resource_profiles WHERE trial_id IN " + trialsOf,
                "DELETE FROM artifacts WHERE trial_id IN " + trialsOf,
                "DELETE FROM pruning_decisions WHERE trial_id IN " + trialsOf,
                "DELETE FROM trial_suggestions WHERE trial_id IN " + trialsOf,
                "DELETE FROM mlflow_links WHERE kind = 'trial' AND local_id IN " + trialsOf,
                "DELETE FROM mlflow_links WHERE kind = 'sweep' AND local_id = ?",
                "DELETE FROM trials WHERE sweep_id = ?",
                "DELETE FROM sweeps WHERE id = ?");
        try (Connection c = store.connection()) {
            c.setAutoCommit(false);
            try {
                for (String sql : statements) {
                    try (PreparedStatement s = c.prepareStatement(sql)) {
                        s.setLong(1, sweepId);
                        s.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("could not delete the benchmark's sweep (id " + sweepId + ") at " + store.redactedUrl()
                    + ": " + e.getMessage() + "; delete it with: DELETE FROM trial_attempts WHERE trial_id IN (SELECT id FROM"
                    + " trials WHERE sweep_id = " + sweepId + "); DELETE FROM trials WHERE sweep_id = " + sweepId
                    + "; DELETE FROM sweeps WHERE id = " + sweepId, e);
        }
    }

    /** What the claimers of one run share. */
    private static final class Shared {
        final int trials;
        final AtomicIntegerArray claimsOf;
        final AtomicIntegerArray completionsOf;
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger died = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong emptyPolls = new java.util.concurrent.atomic.AtomicLong();
        final AtomicReference<RuntimeException> error = new AtomicReference<>();
        volatile boolean stop;
        volatile long endNanos;

        Shared(int trials) {
            this.trials = trials;
            this.claimsOf = new AtomicIntegerArray(trials);
            this.completionsOf = new AtomicIntegerArray(trials);
        }
    }

    private Run claimAll(long sweepId, String sweepName, int claimers, int trials, double killFraction, int killed,
            int leaseSeconds, SweepAsks.Sampler sampler, Consumer<String> progress) {
        Shared shared = new Shared(trials);
        String worker = Workers.self();
        // A killed claimer dies at its k-th claim, k drawn within half its fair share, so kills fall mid-run.
        Random random = new Random(31L * claimers + killed);
        int[] dieAt = new int[claimers];
        for (int i = 0; i < killed; i++) {
            dieAt[i] = 1 + random.nextInt(Math.max(1, trials / claimers / 2));
        }
        long connecting = System.nanoTime();
        List<Connection> connections = new ArrayList<>();
        try {
            DatabaseLogins.Login owner = store.owner();
            Properties login = new Properties();
            login.setProperty("user", owner.user());
            login.setProperty("password", owner.password());
            login.setProperty("ApplicationName", "nin bench claims");
            for (int i = 0; i < claimers; i++) {
                connections.add(DriverManager.getConnection(store.jdbcUrl(), login));
            }
        } catch (SQLException e) {
            connections.forEach(ClaimBenchmark::closeQuietly);
            throw new StoreException("could not open connection " + (connections.size() + 1) + " of " + claimers + " to "
                    + store.redactedUrl() + ": " + store.redact(e.getMessage()), e);
        }
        progress.accept(String.format(Locale.ROOT, "opened %d connections, one a claimer (%.1f s)", claimers,
                (System.nanoTime() - connecting) / 1e9));

        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(claimers);
        long[][] latencies = new long[claimers][];
        int[] latencyCounts = new int[claimers];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < claimers; i++) {
            int index = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    claimer(index, connections.get(index), sweepId, worker, leaseSeconds, dieAt[index], sampler, shared,
                            latencies, latencyCounts);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    shared.error.compareAndSet(null, e);
                    shared.stop = true;
                } finally {
                    closeQuietly(connections.get(index));
                    finished.countDown();
                }
            }, "nin-claimer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long begin = System.nanoTime();
        start.countDown();
        int lastCompleted = 0;
        long lastChange = begin;
        String stuck = "";
        try {
            while (!finished.await(PROGRESS_SECONDS, TimeUnit.SECONDS)) {
                int done = shared.completed.get();
                long now = System.nanoTime();
                progress.accept(String.format(Locale.ROOT, "%,d of %,d trials completed after %.0f s", done, trials,
                        (now - begin) / 1e9));
                if (done != lastCompleted) {
                    lastCompleted = done;
                    lastChange = now;
                } else if (now - lastChange > TimeUnit.SECONDS.toNanos(STUCK_SECONDS + leaseSeconds)) {
                    stuck = "no trial completed for " + STUCK_SECONDS + " s beyond the lease; stopped";
                    shared.stop = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shared.stop = true;
            throw new IllegalStateException("interrupted", e);
        }
        long end = shared.endNanos != 0 ? shared.endNanos : System.nanoTime();
        if (shared.error.get() != null) {
            throw shared.error.get();
        }
        double seconds = (end - begin) / 1e9;

        long[] all = new long[Arrays.stream(latencyCounts).sum()];
        int at = 0;
        for (int i = 0; i < claimers; i++) {
            System.arraycopy(latencies[i], 0, all, at, latencyCounts[i]);
            at += latencyCounts[i];
        }
        Arrays.sort(all);
        String problem = stuck.isEmpty() ? check(sweepId, shared) : stuck;
        return new Run(claimers, killFraction, shared.died.get(), trials, seconds, all.length, all.length / seconds,
                percentile(all, 0.50) / 1e6, percentile(all, 0.99) / 1e6, shared.emptyPolls.get(), shared.refused.get(),
                lostAttempts(sweepId), sweepName, problem);
    }

    /** One claimer: claim, end at once, again, until every trial is completed; a killed one stops at its dieAt-th claim. */
    private void claimer(int index, Connection c, long sweepId, String worker, int leaseSeconds, int dieAt,
            SweepAsks.Sampler sampler, Shared shared, long[][] latencies, int[] latencyCounts) throws InterruptedException {
        long[] mine = new long[64];
        int count = 0;
        int claimed = 0;
        try {
            while (!shared.stop && shared.completed.get() < shared.trials) {
                long t0 = System.nanoTime();
                java.util.Optional<SweepStore.Claim> claim = sweeps.claim(c, sweepId, worker, leaseSeconds);
                if (claim.isEmpty() && sampler != null) {
                    try {
                        claim = SweepAsks.ask(c, sweepId, worker, leaseSeconds, sampler);
                    } catch (SQLException e) {
                        throw new StoreException("claimer " + index + " could not ask at " + store.redactedUrl() + ": "
                                + e.getMessage(), e);
                    }
                }
                long t1 = System.nanoTime();
                if (claim.isEmpty()) {
                    shared.emptyPolls.incrementAndGet();
                    Thread.sleep(POLL_MILLIS);
                    continue;
                }
                if (count == mine.length) {
                    mine = Arrays.copyOf(mine, count * 2);
                }
                mine[count++] = t1 - t0;
                SweepStore.Claim trial = claim.get();
                shared.claimsOf.incrementAndGet(trial.planIndex());
                if (++claimed == dieAt) {
                    // Killed: the trial stays running under this claim, its lease not renewed, until it expires.
                    shared.died.incrementAndGet();
                    return;
                }
                int owned;
                try {
                    if (sampler != null) {
                        tell(c, trial.trialId());
                    }
                    owned = TrialRecorder.endAttempt(c, trial.trialId(), trial.attempt(), TrialState.COMPLETED, null, null, null,
                            null);
                } catch (SQLException e) {
                    throw new StoreException("claimer " + index + " could not end trial " + trial.trialId() + " at "
                            + store.redactedUrl() + ": " + e.getMessage(), e);
                }
                if (owned == 1) {
                    shared.completionsOf.incrementAndGet(trial.planIndex());
                    if (shared.completed.incrementAndGet() == shared.trials) {
                        shared.endNanos = System.nanoTime();
                    }
                } else {
                    shared.refused.incrementAndGet();
                }
            }
        } finally {
            latencies[index] = mine;
            latencyCounts[index] = count;
        }
    }

    /**
     * Tells an asked sweep how a trial did: one epoch with a validation accuracy drawn from the
     * trial's id (the value is noise; what costs is the model fit on every earlier one).
     */
    private static void tell(Connection c, long trialId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy,"
                + " validation_accuracy, images_per_second, train_seconds, seconds) VALUES (?, 1, 1, 0.5, ?, 0, 0, 0)"
                + " ON CONFLICT DO NOTHING")) {
            s.setLong(1, trialId);
            s.setDouble(2, new java.util.SplittableRandom(trialId).nextDouble());
            s.executeUpdate();
        }
    }

    /** Exactly once, from the store and from what the claimers saw: empty when it holds, else what does not. */
    private String check(long sweepId, Shared shared) {
        List<String> problems = new ArrayList<>();
        int notOnce = 0;
        for (int i = 0; i < shared.trials; i++) {
            if (shared.completionsOf.get(i) != 1) {
                notOnce++;
            }
        }
        if (notOnce > 0) {
            problems.add(notOnce + " trials were not ended as completed exactly once by a claimer");
        }
        try (Connection c = store.connection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT count(*), (SELECT count(*) FROM trial_suggestions WHERE sweep_id = ?),"
                    + " (SELECT strategy FROM sweeps WHERE id = ?) FROM trials WHERE sweep_id = ?")) {
                s.setLong(1, sweepId);
                s.setLong(2, sweepId);
                s.setLong(3, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getInt(1) != shared.trials) {
                        problems.add("the sweep has " + r.getInt(1) + " trials, not " + shared.trials);
                    }
                    if (SweepStore.Definition.ASKED_STRATEGY.equals(r.getString(3)) && r.getInt(2) != shared.trials) {
                        problems.add(r.getInt(2) + " suggestions recorded for " + shared.trials + " asked trials");
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT count(*) FILTER (WHERE state <> ?),
                           count(*) FILTER (WHERE attempt <> 1 + (SELECT count(*) FROM trial_attempts a
                                                                  WHERE a.trial_id = t.id AND a.ended_as = 'lost')),
                           count(*) FILTER (WHERE (SELECT count(*) FROM trial_attempts a
                                                   WHERE a.trial_id = t.id AND a.ended_as = ?) <> 1)
                    FROM trials t WHERE t.sweep_id = ?""")) {
                s.setString(1, TrialState.COMPLETED.value);
                s.setString(2, TrialState.COMPLETED.value);
                s.setLong(3, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getInt(1) > 0) {
                        problems.add(r.getInt(1) + " trials are not completed in the store");
                    }
                    if (r.getInt(2) > 0) {
                        problems.add(r.getInt(2) + " trials were claimed again though no lease of theirs had expired");
                    }
                    if (r.getInt(3) > 0) {
                        problems.add(r.getInt(3) + " trials have no or several completed attempts in trial_attempts");
                    }
                }
            }
            int differ = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT plan_index, attempt FROM trials WHERE sweep_id = ?")) {
                s.setLong(1, sweepId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (shared.claimsOf.get(r.getInt(1)) != r.getInt(2)) {
                            differ++;
                        }
                    }
                }
            }
            if (differ > 0) {
                problems.add(differ + " trials were claimed a number of times other than the store's attempt count");
            }
        } catch (SQLException e) {
            throw new StoreException("could not check the benchmark's sweep at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
        return String.join("; ", problems);
    }

    /** Attempts that ended because their lease expired and another claimer took the trial. */
    private long lostAttempts(long sweepId) {
        try (Connection c = store.connection(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM trial_attempts"
                + " WHERE ended_as = 'lost' AND trial_id IN (SELECT id FROM trials WHERE sweep_id = ?)")) {
            s.setLong(1, sweepId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count lost attempts at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Whether any sweep of the benchmark's is in the store (one left by a benchmark that was killed). */
    public List<String> leftoverSweeps() {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT name FROM sweeps WHERE name LIKE ? ORDER BY id")) {
            s.setString(1, SWEEP_PREFIX + "%");
            List<String> names = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    names.add(r.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            throw new StoreException("could not list sweeps at " + store.redactedUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Nearest rank. */
    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Closing a claimer's connection: nothing left to save.
        }
    }
}
