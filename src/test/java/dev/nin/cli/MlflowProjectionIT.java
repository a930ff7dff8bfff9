package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.store.server.DatabaseRoles;
import dev.nin.track.MlflowServer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;

/**
 * MLflow shows what the store says, whatever happened to a trial on the way: interrupted, synced,
 * then resumed (or restarted from scratch), and runs left by the release before, which recorded
 * what it had sent instead of comparing. Read back from a real MLflow server.
 */
class MlflowProjectionIT {

    private static final String[] EPOCH_METRICS = {"train_loss", "train_accuracy", "validation_accuracy", "test_accuracy",
        "images_per_second"};

    private static Path home;
    private static int port;
    private static MlflowServer server;
    private static MlflowClient client;

    @BeforeAll
    static void start() throws Exception {
        home = StoreIT.fresh("mlflow-projection-it-home");
        port = NinProcess.freePort();
        server = new MlflowServer(home.resolve("mlflow"), NinProcess.freePort()).start();
        client = new MlflowClient(server.uri());
    }

    @AfterAll
    static void stop() throws Exception {
        nin().run("db", "stop");
        server.stop();
    }

    private static NinProcess nin() {
        return NinProcess.withHome(home, port);
    }

    /** A one-trial sweep of tiny training. */
    private static Path sweep(String name, int epochs) throws Exception {
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                description: one trial, stopped and run again
                base: {variant: no-1x1, resize: 67, epochs: %d, batch: 64, lr: 0.05, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                """.formatted(name, epochs));
        return file;
    }

    /** Runs the sweep and kills nin once its trial has recorded and checkpointed {@code epoch}; returns the trial's id. */
    private static long killAfterEpoch(Path file, String sweep, int epoch) throws Exception {
        Path out = Files.createTempFile("mlflow-projection", ".txt");
        Process p = nin().start(out, "sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try {
            while (true) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, Files.readString(out));
                Long trial = trialOf(sweep);
                if (trial != null && epochs(trial) >= epoch
                        && Files.exists(home.resolve("checkpoints/trial-" + trial + "/epoch-" + epoch + "/complete"))) {
                    p.destroyForcibly();
                    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                    return trial;
                }
                Thread.sleep(50);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static Long trialOf(String sweep) throws Exception {
        if (!Files.exists(home.resolve("postgres/credentials"))) {
            return null;
        }
        try (Connection c = TestDb.connect(home, port);
                PreparedStatement s = c.prepareStatement("SELECT t.id FROM trials t JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = ?")) {
            s.setString(1, sweep);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : null;
            }
        } catch (SQLException e) {
            return null; // not migrated yet
        }
    }

    private static int epochs(long trial) throws Exception {
        return Integer.parseInt(one("SELECT count(*) FROM epoch_metrics WHERE trial_id = " + trial));
    }

    private static String one(String sql) throws Exception {
        try (Connection c = TestDb.connect(home, port)) {
            return one(c, sql);
        }
    }

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            assertTrue(r.next(), "no row for " + sql);
            return r.getString(1);
        }
    }

    private static long millis(Connection c, String sql) throws SQLException {
        return Long.parseLong(one(c, "SELECT (extract(epoch FROM (" + sql + ")) * 1000)::bigint"));
    }

    private static NinProcess.Result sync() throws Exception {
        NinProcess.Result sync = nin().run("sync", "--to", server.uri());
        assertEquals(0, sync.exitCode(), sync.all());
        return sync;
    }

    /** The one active run of a sweep or trial of this test's home in the experiment. */
    private static Run run(String experiment, String kind, long localId) throws Exception {
        return run(experiment, kind, localId, one("SELECT id FROM store_identity"));
    }

    /** The one active run of a sweep or trial of the store {@code store} in the experiment. */
    private static Run run(String experiment, String kind, long localId, String store) {
        String id = client.getExperimentByName(experiment).orElseThrow().getExperimentId();
        List<RunInfo> runs = client.searchRuns(List.of(id), "tags.`nin.store` = '" + store + "' and tags.`nin.kind` = '" + kind
                + "' and tags.`nin.local_id` = '" + localId + "'");
        assertEquals(1, runs.size(), "one run of " + kind + " " + localId + ": " + runs);
        return client.getRun(runs.get(0).getRunId());
    }

    private static Map<String, String> tags(Run run) {
        return run.getData().getTagsList().stream().collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
    }

    private static Map<String, String> params(Run run) {
        return run.getData().getParamsList().stream().collect(Collectors.toMap(Param::getKey, Param::getValue));
    }

    private static List<Metric> history(Run run, String key) {
        List<Metric> h = new ArrayList<>(client.getMetricHistory(run.getInfo().getRunId(), key));
        h.sort(Comparator.comparingLong(Metric::getStep));
        return h;
    }

    private static byte[] artifact(Run run, String path) throws Exception {
        String relative = run.getInfo().getArtifactUri().replaceFirst("^mlflow-artifacts:/+", "");
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.uri() + "/api/2.0/mlflow-artifacts/artifacts/" + relative + "/" + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    /**
     * The trial's run shows it as the store has it: FINISHED and completed, no error, every epoch's
     * metrics once with the store's values, start at the trial's first start and end at its end.
     */
    private static void assertShowsCompletedTrial(Connection c, Run run, long trial, int epochs) throws Exception {
        Map<String, String> tags = tags(run);
        assertEquals("FINISHED", run.getInfo().getStatus().name());
        assertEquals("completed", tags.get("nin.state"));
        assertFalse(tags.containsKey("nin.error"), "no stale error: " + tags);
        assertFalse(tags.containsKey("nin.stopped_at"), tags.toString());
        List<Long> steps = new ArrayList<>();
        for (long e = 1; e <= epochs; e++) {
            steps.add(e);
        }
        for (String key : EPOCH_METRICS) {
            List<Metric> h = history(run, key);
            assertEquals(steps, h.stream().map(Metric::getStep).toList(), key + ": every epoch exactly once");
            for (Metric m : h) {
                String column = key;
                double stored = Double.parseDouble(one(c, "SELECT " + column + " FROM epoch_metrics WHERE trial_id = " + trial
                        + " AND epoch = " + m.getStep()));
                assertEquals(stored, m.getValue(), 0.0, key + " at epoch " + m.getStep());
            }
        }
        long firstStart = millis(c, "SELECT min(started_at) FROM trial_attempts WHERE trial_id = " + trial);
        assertEquals(firstStart, millis(c, "SELECT started_at FROM trials WHERE id = " + trial), 1, "started_at is the first start");
        long end = millis(c, "SELECT ended_at FROM trials WHERE id = " + trial);
        assertEquals(firstStart, run.getInfo().getStartTime(), 1000, "the run starts when the trial first started");
        assertEquals(end, run.getInfo().getEndTime(), 1000, "the run ends when the trial ended");
        assertTrue(run.getInfo().getEndTime() >= run.getInfo().getStartTime(), "a duration is never negative");
    }

    @Test
    void anInterruptedTrialResumedToItsEndIsFinishedWithEveryEpochOnce() throws Exception {
        Path file = sweep("resumed", 3);
        long trial = killAfterEpoch(file, "resumed", 1);
        sync();
        Run interrupted = run("resumed", "trial", trial);
        assertEquals("KILLED", interrupted.getInfo().getStatus().name());
        assertEquals("interrupted", tags(interrupted).get("nin.state"));
        assertTrue(tags(interrupted).get("nin.error").contains("ended before the trial did"), tags(interrupted).toString());
        int shownBefore = history(interrupted, "train_loss").size();
        assertTrue(shownBefore >= 1 && shownBefore < 3, "interrupted after " + shownBefore + " epochs");
        byte[] curvesBefore = artifact(interrupted, "curves.png");

        // Resumed with MLflow mirrored while it trains, then synced.
        NinProcess.Result resume = nin().env("MLFLOW_TRACKING_URI", server.uri())
                .run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
        assertEquals(0, resume.exitCode(), resume.all());
        assertTrue(resume.out().contains("resuming after epoch " + shownBefore + " from its checkpoint"), resume.out());
        sync();

        try (Connection c = TestDb.connect(home, port)) {
            assertEquals("completed", one(c, "SELECT state FROM trials WHERE id = " + trial));
            assertEquals("interrupted,completed", one(c, "SELECT string_agg(ended_as, ',' ORDER BY attempt) FROM trial_attempts"
                    + " WHERE trial_id = " + trial), "each attempt with its own end");
            Run done = run("resumed", "trial", trial);
            assertShowsCompletedTrial(c, done, trial, 3);
            assertFalse(Arrays.equals(curvesBefore, artifact(done, "curves.png")), "curves.png redrawn with every epoch");

            // The sweep's parent run: its one trial's start and end, its params, metrics and file.
            long sweep = Long.parseLong(one(c, "SELECT id FROM sweeps WHERE name = 'resumed'"));
            Run parent = run("resumed", "sweep", sweep);
            assertEquals("FINISHED", parent.getInfo().getStatus().name());
            assertEquals(done.getInfo().getStartTime(), parent.getInfo().getStartTime());
            assertEquals(done.getInfo().getEndTime(), parent.getInfo().getEndTime());
            assertEquals(parent.getInfo().getRunId(), tags(done).get("mlflow.parentRunId"));
            assertEquals("one trial, stopped and run again", tags(parent).get("mlflow.note.content"));
            assertEquals("0.05", params(parent).get("learning_rate"));
            assertEquals(List.of(1.0), history(parent, "trials/completed").stream().map(Metric::getValue).toList());
            assertEquals(List.of(0.0), history(parent, "trials/interrupted").stream().map(Metric::getValue).toList(),
                    "the interruption is history: the trial ended once, completed");
            assertEquals(Files.readString(file), new String(artifact(parent, "resumed.yaml"), java.nio.charset.StandardCharsets.UTF_8));
        }
        NinProcess.Result again = sync();
        assertTrue(again.out().contains("already up to date"), again.out());
    }

    @Test
    void aTrialRestartedFromScratchShowsOnlyItsNewEpochs() throws Exception {
        Path file = sweep("restarted", 3);
        long trial = killAfterEpoch(file, "restarted", 2);
        sync();
        Run interrupted = run("restarted", "trial", trial);
        assertEquals("interrupted", tags(interrupted).get("nin.state"));
        assertTrue(history(interrupted, "train_loss").size() >= 2);

        // Its checkpoints are gone (as when it resumes on another machine): it starts over, its old epochs forgotten.
        try (var walk = Files.walk(home.resolve("checkpoints/trial-" + trial))) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        NinProcess.Result rerun = nin().run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
        assertEquals(0, rerun.exitCode(), rerun.all());
        assertFalse(rerun.out().contains("resuming after epoch"), rerun.out());
        NinProcess.Result sync = sync();
        assertTrue(sync.out().contains(" replaced"), sync.out());

        try (Connection c = TestDb.connect(home, port)) {
            Run done = run("restarted", "trial", trial);
            // MLflow keeps every point ever logged: the run with the forgotten epochs was replaced, not patched.
            assertNotEquals(interrupted.getInfo().getRunId(), done.getInfo().getRunId());
            assertEquals("deleted", client.getRun(interrupted.getInfo().getRunId()).getInfo().getLifecycleStage());
            assertEquals(done.getInfo().getRunId(), one(c, "SELECT run_id FROM mlflow_links WHERE kind = 'trial' AND local_id = " + trial));
            assertShowsCompletedTrial(c, done, trial, 3);
        }
        NinProcess.Result again = sync();
        assertTrue(again.out().contains("already up to date"), again.out());
    }

    /**
     * A store written by the release before (migrations V1-V2) with a run its sync created: started
     * when the run was created, resource figures without their prefix, and every "sent" flag set.
     * The new nin migrates the store and replaces the run with the one the store describes.
     */
    @Test
    void aRunOfTheReleaseBeforeIsCorrected() throws Exception {
        NinProcess.Result train = nin().run(StoreIT.TINY_TRAIN);
        assertEquals(0, train.exitCode(), train.all());
        String trialJson;
        String epochsJson;
        String resourcesJson;
        try (Connection c = TestDb.connect(home, port)) {
            long id = Long.parseLong(one(c, "SELECT max(id) FROM trials WHERE sweep_id IS NULL"));
            trialJson = one(c, "SELECT row_to_json(t) FROM trials t WHERE id = " + id);
            epochsJson = one(c, "SELECT json_agg(e) FROM epoch_metrics e WHERE trial_id = " + id);
            resourcesJson = one(c, "SELECT row_to_json(r) FROM resource_profiles r WHERE trial_id = " + id);
        }
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().start()) {
            String url = TestDb.administer(old, new DatabaseRoles("legacy", "legacy_owner", "legacy_reader"), "owner-pw",
                    "reader-pw");
            Flyway.configure().dataSource(url, "legacy_owner", "owner-pw").locations("filesystem:migrations").target("2").load()
                    .migrate();
            long trial;
            long startedAt;
            long endedAt;
            String runId;
            String experiment;
            String store;
            try (Connection c = DriverManager.getConnection(url, "legacy_owner", "owner-pw")) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO trials SELECT * FROM json_populate_record(null::trials, ?::json)"
                        + " RETURNING id, (extract(epoch FROM started_at) * 1000)::bigint, (extract(epoch FROM ended_at) * 1000)::bigint")) {
                    s.setString(1, trialJson);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        trial = r.getLong(1);
                        startedAt = r.getLong(2);
                        endedAt = r.getLong(3);
                    }
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO epoch_metrics SELECT * FROM json_populate_recordset(null::epoch_metrics, ?::json)")) {
                    s.setString(1, epochsJson);
                    s.executeUpdate();
                }
                try (PreparedStatement s = c.prepareStatement("INSERT INTO resource_profiles SELECT * FROM json_populate_record(null::resource_profiles, ?::json)")) {
                    s.setString(1, resourcesJson);
                    s.executeUpdate();
                }
                store = one(c, "SELECT id FROM store_identity");

                // The run as the release before created it: started at its sync, long after the trial ended.
                experiment = client.getExperimentByName("nin-train").map(e -> e.getExperimentId())
                        .orElseGet(() -> client.createExperiment("nin-train"));
                RunInfo info = client.createRun(CreateRun.newBuilder().setExperimentId(experiment).setRunName("old run")
                        .setStartTime(System.currentTimeMillis())
                        .addTags(RunTag.newBuilder().setKey("nin.store").setValue(store))
                        .addTags(RunTag.newBuilder().setKey("nin.kind").setValue("trial"))
                        .addTags(RunTag.newBuilder().setKey("nin.local_id").setValue(Long.toString(trial)))
                        .addTags(RunTag.newBuilder().setKey("nin.state").setValue("completed")).build());
                runId = info.getRunId();
                List<Metric> metrics = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT epoch, train_loss,"
                        + " (extract(epoch FROM recorded_at) * 1000)::bigint FROM epoch_metrics WHERE trial_id = " + trial)) {
                    while (r.next()) {
                        metrics.add(Metric.newBuilder().setKey("train_loss").setStep(r.getInt(1)).setValue(r.getDouble(2))
                                .setTimestamp(r.getLong(3)).build());
                    }
                }
                metrics.add(Metric.newBuilder().setKey("parameters").setStep(0).setValue(1_546_058).setTimestamp(endedAt).build());
                client.logBatch(runId, metrics, List.of(Param.newBuilder().setKey("variant").setValue("no-1x1").build()), List.of());
                client.setTerminated(runId, RunStatus.FINISHED, endedAt);
                assertTrue(client.getRun(runId).getInfo().getEndTime() < client.getRun(runId).getInfo().getStartTime(),
                        "the release before showed a negative duration");
                try (PreparedStatement s = c.prepareStatement("INSERT INTO mlflow_links (tracking_uri, kind, local_id, experiment_id,"
                        + " run_id, params_sent, epochs_sent, finished_sent, artifacts_sent) VALUES (?, 'trial', ?, ?, ?, true, 2, true, true)")) {
                    s.setString(1, server.uri());
                    s.setLong(2, trial);
                    s.setString(3, experiment);
                    s.setString(4, runId);
                    s.executeUpdate();
                }
            }

            NinProcess external = NinProcess.withHome(StoreIT.fresh("mlflow-projection-it-legacy"), NinProcess.freePort())
                    .env("NIN_DB_URL", url).env("NIN_DB_USER", "legacy_owner").env("NIN_DB_PASSWORD", "owner-pw")
                    .env("NIN_DB_READER_PASSWORD", "reader-pw");
            NinProcess.Result sync = external.run("sync", "--to", server.uri());
            assertEquals(0, sync.exitCode(), sync.all());
            assertTrue(sync.out().contains("0 runs created, 1 replaced"), sync.out());

            assertEquals("deleted", client.getRun(runId).getInfo().getLifecycleStage());
            Run now = run("nin-train", "trial", trial, store);
            assertEquals(startedAt, now.getInfo().getStartTime(), 1000);
            assertEquals(endedAt, now.getInfo().getEndTime(), 1000);
            assertTrue(now.getInfo().getEndTime() >= now.getInfo().getStartTime());
            assertEquals(List.of(1L, 2L), history(now, "train_loss").stream().map(Metric::getStep).toList());
            assertEquals(List.of(1_546_058.0), history(now, "resources/parameters").stream().map(Metric::getValue).toList());
            assertFalse(now.getData().getMetricsList().stream().anyMatch(m -> m.getKey().equals("parameters")),
                    "resource figures only under resources/");
            assertEquals("completed", tags(now).get("nin.state"));
            assertEquals("no-1x1", params(now).get("variant"));
            try (Connection c = DriverManager.getConnection(url, "legacy_owner", "owner-pw")) {
                assertEquals(now.getInfo().getRunId(), one(c, "SELECT run_id FROM mlflow_links WHERE local_id = " + trial));
                assertEquals("0", one(c, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'mlflow_links'"
                        + " AND column_name LIKE '%\\_sent'"), "the flags of what was sent are gone");
                assertEquals("1", one(c, "SELECT count(*) FROM trial_attempts WHERE trial_id = " + trial));
            }
            NinProcess.Result again = external.run("sync", "--to", server.uri());
            assertEquals(0, again.exitCode(), again.all());
            assertTrue(again.out().contains("already up to date"), again.out());
        }
    }
}
