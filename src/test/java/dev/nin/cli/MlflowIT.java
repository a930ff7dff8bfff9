package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.track.MlflowServer;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.tracking.MlflowClient;

/** Sweeps mirrored to a real MLflow server, read back through MLflow's REST API. */
class MlflowIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void freshHome() throws Exception {
        home = StoreIT.fresh("mlflow-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    private static Path sweep(String name, int trials, int epochs) throws Exception {
        StringBuilder lrs = new StringBuilder();
        for (int i = 1; i <= trials; i++) {
            lrs.append(i == 1 ? "" : ", ").append(0.01 * i);
        }
        Path file = home.resolve(name + ".yaml");
        Files.writeString(file, """
                name: %s
                base: {variant: no-1x1, resize: 67, epochs: %d, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                axes:
                  lr: [%s]
                """.formatted(name, epochs, lrs));
        return file;
    }

    private static Map<Long, Map<Integer, double[]>> epochsInStore(String sweep) throws Exception {
        Map<Long, Map<Integer, double[]>> out = new HashMap<>();
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT m.trial_id, m.epoch, m.train_loss, m.test_accuracy FROM epoch_metrics m"
                        + " JOIN trials t ON t.id = m.trial_id JOIN sweeps w ON w.id = t.sweep_id WHERE w.name = '" + sweep + "'")) {
            while (r.next()) {
                out.computeIfAbsent(r.getLong(1), k -> new HashMap<>()).put(r.getInt(2), new double[] {r.getDouble(3), r.getDouble(4)});
            }
        }
        return out;
    }

    private static String configInStore(long trial) throws Exception {
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT config FROM trials WHERE id = " + trial)) {
            r.next();
            return r.getString(1);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The one logged model whose source is {@code runId}. */
    private static JsonNode loggedModel(String uri, String experiment, String runId) throws Exception {
        ObjectNode search = JSON.createObjectNode();
        search.putArray("experiment_ids").add(experiment);
        search.put("filter", "source_run_id = '" + runId + "'");
        JsonNode models = JSON.readTree(post(uri + "/api/2.0/mlflow/logged-models/search", search.toString())).path("models");
        assertEquals(1, models.size(), models.toString());
        return models.get(0);
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    private static String post(String url, String json) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    /** Runs {@code script} with the tests' MLflow for Python, against {@code uri}; its standard output. */
    private static String python(String uri, String script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().put("MLFLOW_TRACKING_URI", uri);
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        return out;
    }

    private static byte[] artifact(String uri, RunInfo run, String path) throws Exception {
        return artifact(uri, run.getArtifactUri(), path);
    }

    private static byte[] artifact(String uri, String location, String path) throws Exception {
        String relative = location.replaceFirst("^mlflow-artifacts:/+", "");
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(uri + "/api/2.0/mlflow-artifacts/artifacts/" + relative + "/" + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), path);
        return r.body();
    }

    /** Checks MLflow holds exactly what the store holds for a sweep: runs, params, every metric at every step once, artifacts. */
    private static void assertMirrored(MlflowClient client, String uri, String sweepName, int trials, int epochs) throws Exception {
        String experiment = client.getExperimentByName(sweepName).orElseThrow().getExperimentId();
        List<RunInfo> runs = client.searchRuns(List.of(experiment), "");
        assertEquals(trials + 1, runs.size(), "one parent run and one run per trial, each once");
        Map<String, Run> byKind = new HashMap<>();
        Run parent = null;
        Map<Long, Run> children = new HashMap<>();
        for (RunInfo info : runs) {
            Run run = client.getRun(info.getRunId());
            Map<String, String> tags = run.getData().getTagsList().stream().collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
            if ("sweep".equals(tags.get("nin.kind"))) {
                parent = run;
            } else {
                children.put(Long.parseLong(tags.get("nin.local_id")), run);
            }
            byKind.put(info.getRunId(), run);
        }
        assertNotNull(parent, "the sweep's parent run");
        assertEquals("FINISHED", parent.getInfo().getStatus().name());
        // The parent carries the sweep: params all its trials share, how its trials ended, the best
        // validation accuracy so far (one step per ended trial), and the sweep file.
        Map<String, String> common = parent.getData().getParamsList().stream().collect(Collectors.toMap(p -> p.getKey(), p -> p.getValue()));
        assertEquals("no-1x1", common.get("variant"));
        assertEquals(Integer.toString(epochs), common.get("epochs"));
        assertEquals("validation_accuracy", common.get("sweep_metric"));
        assertTrue(!common.containsKey("learning_rate") && !common.containsKey("nin_trial_id"), "not shared: " + common);
        List<Metric> completed = client.getMetricHistory(parent.getInfo().getRunId(), "trials/completed");
        assertEquals(trials, completed.size());
        assertEquals((double) trials, completed.stream().mapToDouble(Metric::getValue).max().orElseThrow());
        double bestInStore = 0;
        for (long trial : epochsInStore(sweepName).keySet()) {
            try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT validation_accuracy FROM epoch_metrics WHERE trial_id = " + trial
                            + " ORDER BY epoch DESC LIMIT 1")) {
                r.next();
                bestInStore = Math.max(bestInStore, r.getDouble(1));
            }
        }
        List<Metric> best = client.getMetricHistory(parent.getInfo().getRunId(), "best_validation_accuracy");
        assertEquals(trials, best.size());
        assertEquals(bestInStore, best.stream().max(java.util.Comparator.comparingLong(Metric::getStep)).orElseThrow().getValue());
        assertEquals(Files.readString(home.resolve(sweepName + ".yaml")),
                new String(artifact(uri, parent.getInfo(), sweepName + ".yaml"), StandardCharsets.UTF_8));
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT (extract(epoch FROM min(started_at)) * 1000)::bigint,"
                        + " (extract(epoch FROM max(ended_at)) * 1000)::bigint FROM trials t JOIN sweeps w ON w.id = t.sweep_id"
                        + " WHERE w.name = '" + sweepName + "'")) {
            r.next();
            assertEquals(r.getLong(1), parent.getInfo().getStartTime(), 1, "the sweep's run starts with its first trial");
            assertEquals(r.getLong(2), parent.getInfo().getEndTime(), 1, "and ends with its last");
        }
        Map<Long, Map<Integer, double[]>> store = epochsInStore(sweepName);
        assertEquals(store.keySet(), children.keySet());
        for (Map.Entry<Long, Run> e : children.entrySet()) {
            Run run = e.getValue();
            Map<String, String> tags = run.getData().getTagsList().stream().collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
            assertEquals(parent.getInfo().getRunId(), tags.get("mlflow.parentRunId"));
            assertTrue(tags.get("mlflow.runName").startsWith("no-1x1 lr="), tags.get("mlflow.runName"));
            assertTrue(tags.containsKey("mlflow.source.git.commit") && tags.containsKey("mlflow.user"), tags.toString());
            assertEquals("completed", tags.get("nin.state"));
            assertEquals("FINISHED", run.getInfo().getStatus().name());
            Map<String, String> params = run.getData().getParamsList().stream().collect(Collectors.toMap(p -> p.getKey(), p -> p.getValue()));
            assertEquals("no-1x1", params.get("variant"));
            assertEquals("67", params.get("resize"));
            assertEquals("cpu()", params.get("device"));
            assertEquals("2.16.1", params.get("tensorflow_version"));
            List<Metric> loss = client.getMetricHistory(run.getInfo().getRunId(), "train_loss");
            assertEquals(epochs, loss.size(), "each epoch's loss exactly once");
            for (Metric m : loss) {
                assertEquals(store.get(e.getKey()).get((int) m.getStep())[0], m.getValue(), 1e-12);
            }
            assertEquals(epochs, client.getMetricHistory(run.getInfo().getRunId(), "test_accuracy").size());
            assertEquals(epochs, client.getMetricHistory(run.getInfo().getRunId(), "validation_accuracy").size());
            assertEquals(1, client.getMetricHistory(run.getInfo().getRunId(), "resources/parameters").size());
            assertEquals(1_546_058.0, client.getMetricHistory(run.getInfo().getRunId(), "resources/parameters").get(0).getValue());
            assertTrue(run.getInfo().getEndTime() >= run.getInfo().getStartTime(), "a duration is never negative");
            assertEquals(configInStore(e.getKey()), new String(artifact(uri, run.getInfo(), "config.json"), StandardCharsets.UTF_8));
            assertTrue(new String(artifact(uri, run.getInfo(), "layers.txt"), StandardCharsets.UTF_8).contains("parameters           1,546,058"));
            assertNotNull(ImageIO.read(new ByteArrayInputStream(artifact(uri, run.getInfo(), "curves.png"))), "curves.png decodes");
        }
    }

    @Test
    void aSweepIsMirroredRunByRun() throws Exception {
        int mlflowPort = NinProcess.freePort();
        try (MlflowServer server = new MlflowServer(home.resolve("mlflow-a"), mlflowPort).start()) {
            Path file = sweep("mirror", 2, 2);
            NinProcess.Result result = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).env("MLFLOW_TRACKING_URI", server.uri())
                    .run("sweep", file.toString(), "--skip-estimate", "--save-models");
            assertEquals(0, result.exitCode(), result.all());
            assertTrue(result.out().contains("MLflow: mirroring runs to " + server.uri()), result.out());
            MlflowClient client = new MlflowClient(server.uri());
            assertMirrored(client, server.uri(), "mirror", 2, 2);
            // The SavedModel of each trial, byte for byte, as a READY logged model: the run's output.
            String experiment = client.getExperimentByName("mirror").orElseThrow().getExperimentId();
            // The address printed opens the experiment's Runs table, not MLflow 3's GenAI onboarding page.
            assertTrue(result.out().contains("MLflow: sweep mirror at " + server.uri() + "/#/experiments/" + experiment
                    + "?workflowType=machine_learning\n"), result.out());
            int models = 0;
            for (RunInfo info : client.searchRuns(List.of(experiment), "tags.`nin.kind` = 'trial'")) {
                String trial = client.getRun(info.getRunId()).getData().getTagsList().stream()
                        .filter(t -> t.getKey().equals("nin.local_id")).findFirst().orElseThrow().getValue();
                JsonNode model = loggedModel(server.uri(), experiment, info.getRunId());
                assertEquals("LOGGED_MODEL_READY", model.path("info").path("status").asText(), model.toString());
                String location = model.path("info").path("artifact_uri").asText();
                byte[] local = Files.readAllBytes(home.resolve("models").resolve("trial-" + trial).resolve("saved_model.pb"));
                assertTrue(java.util.Arrays.equals(local, artifact(server.uri(), location, "tfmodel/saved_model.pb")));
                JsonNode run = JSON.readTree(get(server.uri() + "/api/2.0/mlflow/runs/get?run_id=" + info.getRunId()));
                JsonNode outputs = run.path("run").path("outputs").path("model_outputs");
                assertEquals(1, outputs.size(), run.toString());
                assertEquals(model.path("info").path("model_id").asText(), outputs.path(0).path("model_id").asText(), run.toString());
                // MLflow's own loader parses the MLmodel (loading the SavedModel itself would need TensorFlow for Python).
                String loaded = python(server.uri(), """
                        import mlflow, sys
                        m = mlflow.models.Model.load("models:/" + sys.argv[1])
                        tf = m.flavors["tensorflow"]
                        print(sorted(m.flavors), tf["saved_model_dir"], tf["meta_graph_tags"], tf["signature_def_key"], m.run_id == sys.argv[2])
                        print([(s.name, str(s.type), s.shape) for s in m.signature.inputs.inputs])
                        print([(s.name, str(s.type), s.shape) for s in m.signature.outputs.inputs])
                        """, model.path("info").path("model_id").asText(), info.getRunId());
                assertEquals("""
                        ['python_function', 'tensorflow'] tfmodel ['serve'] serving_default True
                        [('images', 'uint8', (-1, 28, 28))]
                        [('logits', 'float32', (-1, 10)), ('probabilities', 'float32', (-1, 10))]
                        """, loaded);
                models++;
            }
            assertEquals(2, models);
            // A sync killed mid-upload leaves its logged model PENDING beside the good one (created,
            // never finalized, not yet the run's output: nin links a model once READY); the next
            // sync deletes it.
            ObjectNode pending = JSON.createObjectNode();
            pending.put("experiment_id", experiment);
            pending.put("name", "killed-mid-upload");
            pending.put("source_run_id", client.searchRuns(List.of(experiment), "tags.`nin.kind` = 'trial'").get(0).getRunId());
            post(server.uri() + "/api/2.0/mlflow/logged-models", pending.toString());
            // Synced again, nothing is logged twice, and the unfinished model is gone.
            NinProcess.Result again = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_EMBEDDED_PORT", Integer.toString(port))
                    .run("sync", "--to", server.uri());
            assertEquals(0, again.exitCode(), again.all());
            ObjectNode search = JSON.createObjectNode();
            search.putArray("experiment_ids").add(experiment);
            JsonNode listed = JSON.readTree(post(server.uri() + "/api/2.0/mlflow/logged-models/search", search.toString())).path("models");
            assertEquals(2, listed.size(), listed.toString());
            listed.forEach(m -> assertEquals("LOGGED_MODEL_READY", m.path("info").path("status").asText(), m.toString()));
        }
        // A sync killed after a model became READY and before it became its run's output: the next
        // sync links that model, and logs no second one.
        try (MlflowServer server = new MlflowServer(home.resolve("mlflow-killed-at-ready"), NinProcess.freePort()).start()) {
            Path pauses = Files.createTempDirectory("nin-pause");
            Path out = Files.createTempFile("mlflow-killed", ".txt");
            Process killed = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_EMBEDDED_PORT", Integer.toString(port))
                    .env("NIN_TEST_PAUSE_AT", "model-ready@1").env("NIN_TEST_PAUSE_DIR", pauses.toString())
                    .start(out, "sync", "--to", server.uri());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.exists(pauses.resolve("paused-model-ready-1"))) {
                assertTrue(killed.isAlive() && System.nanoTime() < deadline, "never reached model-ready: " + Files.readString(out));
                Thread.sleep(20);
            }
            killed.destroyForcibly();
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
            NinProcess.Result again = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).run("sync", "--to", server.uri());
            assertEquals(0, again.exitCode(), again.all());
            MlflowClient client = new MlflowClient(server.uri());
            String experiment = client.getExperimentByName("mirror").orElseThrow().getExperimentId();
            List<RunInfo> trials = client.searchRuns(List.of(experiment), "tags.`nin.kind` = 'trial'");
            assertEquals(2, trials.size());
            for (RunInfo info : trials) {
                JsonNode model = loggedModel(server.uri(), experiment, info.getRunId());
                assertEquals("LOGGED_MODEL_READY", model.path("info").path("status").asText(), model.toString());
                JsonNode run = JSON.readTree(get(server.uri() + "/api/2.0/mlflow/runs/get?run_id=" + info.getRunId()));
                JsonNode outputs = run.path("run").path("outputs").path("model_outputs");
                assertEquals(1, outputs.size(), run.toString());
                assertEquals(model.path("info").path("model_id").asText(), outputs.path(0).path("model_id").asText());
            }
        }
    }

    /**
     * A trial stopped by the stall rule shows in MLflow as KILLED, with nin.state and nin.stopped_at
     * saying why and where; its epochs up to the stop are there. (The book's network at 67 px sits
     * on the ln 10 plateau for hundreds of steps, see SweepIT.)
     */
    @Test
    void aStalledTrialIsKilledInMlflowWithWhereItStopped() throws Exception {
        int mlflowPort = NinProcess.freePort();
        try (MlflowServer server = new MlflowServer(home.resolve("mlflow-stall"), mlflowPort).start()) {
            Path file = home.resolve("stalled.yaml");
            Files.writeString(file, """
                    name: stalled
                    base: {variant: standard, resize: 67, epochs: 2, batch: 32, lr: 0.05, momentum: 0.9}
                    data: {train_limit: 384, validation: 64, test_limit: 64}
                    stall: {steps: 10, band: 0.05}
                    """);
            NinProcess.Result result = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).env("MLFLOW_TRACKING_URI", server.uri())
                    .run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
            assertEquals(0, result.exitCode(), result.all());
            assertTrue(result.out().contains("1 stalled"), result.out());
            MlflowClient client = new MlflowClient(server.uri());
            String experiment = client.getExperimentByName("stalled").orElseThrow().getExperimentId();
            List<RunInfo> trials = client.searchRuns(List.of(experiment), "tags.`nin.kind` = 'trial'");
            assertEquals(1, trials.size());
            Run run = client.getRun(trials.get(0).getRunId());
            Map<String, String> tags = run.getData().getTagsList().stream().collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
            assertEquals("KILLED", run.getInfo().getStatus().name());
            assertEquals("stalled", tags.get("nin.state"));
            assertTrue(tags.get("nin.stopped_at").startsWith("epoch 1 step 10 "), tags.toString());
            long trial = Long.parseLong(tags.get("nin.local_id"));
            assertEquals(epochsInStore("stalled").getOrDefault(trial, Map.of()).size(),
                    client.getMetricHistory(run.getInfo().getRunId(), "train_loss").size(), "the epochs the store has, no more");
        }
    }

    /**
     * A TPE sweep end to end: the worker asks for each trial (two start-up draws, then one decided by
     * the model from them), MLflow tags each trial's phase, show and the leaderboard tell the story.
     */
    @Test
    void aTpeSweepAsksForItsTrialsAndTagsEachWithItsPhase() throws Exception {
        int mlflowPort = NinProcess.freePort();
        try (MlflowServer server = new MlflowServer(home.resolve("mlflow-tpe"), mlflowPort).start()) {
            Path file = home.resolve("tpe.yaml");
            Files.writeString(file, """
                    name: tpe
                    base: {variant: no-1x1, resize: 67, epochs: 1, batch: 64}
                    data: {train_limit: 256, validation: 64, test_limit: 64}
                    strategy: tpe
                    budget: 3
                    sampler_seed: 3
                    tpe: {startup_trials: 2}
                    axes:
                      lr: {log_uniform: [0.01, 0.1]}
                      momentum: [0.0, 0.9]
                    """);
            NinProcess.Result result = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).env("MLFLOW_TRACKING_URI", server.uri())
                    .run("sweep", file.toString(), "--skip-estimate", "--no-measure-memory");
            assertEquals(0, result.exitCode(), result.all());
            assertTrue(result.out().contains("tpe: 2 start-up trials drawn at random, then 1 model-guided"), result.out());
            assertTrue(result.out().contains("budget 3, 0 trials asked so far"), result.out());
            assertTrue(result.out().contains("this worker ran 3 trials: 3 completed"), result.out());
            assertTrue(result.out().contains("best validation_accuracy so far, by trials ended"), result.out());

            MlflowClient client = new MlflowClient(server.uri());
            String experiment = client.getExperimentByName("tpe").orElseThrow().getExperimentId();
            Map<Long, String> phaseOf = new java.util.TreeMap<>();
            for (RunInfo info : client.searchRuns(List.of(experiment), "tags.`nin.kind` = 'trial'")) {
                Map<String, String> tags = client.getRun(info.getRunId()).getData().getTagsList().stream()
                        .collect(Collectors.toMap(t -> t.getKey(), t -> t.getValue()));
                phaseOf.put(Long.parseLong(tags.get("nin.local_id")), tags.get("nin.sampler_phase"));
            }
            assertEquals(List.of("start-up", "start-up", "model-guided"), List.copyOf(phaseOf.values()), phaseOf.toString());
            String guided = phaseOf.entrySet().stream().filter(e -> e.getValue().equals("model-guided")).findFirst().orElseThrow()
                    .getKey().toString();
            NinProcess.Result show = nin.run("show", guided);
            assertEquals(0, show.exitCode(), show.all());
            assertTrue(show.out().contains("tpe: ask 3 of its sweep, model-guided, computed from 2 earlier trials (1 good, 0 running)"),
                    show.out());
        }
    }

    @Test
    void mlflowDownMidSweepThenSyncSendsEverythingOnce() throws Exception {
        int mlflowPort = NinProcess.freePort();
        Path dir = home.resolve("mlflow-b");
        MlflowServer server = new MlflowServer(dir, mlflowPort).start();
        try {
            Path file = sweep("outage", 3, 2);
            Path out = Files.createTempFile("mlflow-outage", ".txt");
            Process sweep = new NinProcess().env("NIN_HOME", home.toString()).env("NIN_DB_EMBEDDED_PORT", Integer.toString(port))
                    .env("MLFLOW_TRACKING_URI", server.uri()).start(out, "sweep", file.toString(), "--skip-estimate");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            // Once the second trial starts (trial ids depend on the other tests sharing this home).
            while (!Files.readString(out).contains("== trial 2 of 3")) {
                assertTrue(sweep.isAlive() && System.nanoTime() < deadline, Files.readString(out));
                Thread.sleep(100);
            }
            server.stop();
            assertTrue(sweep.waitFor(10, TimeUnit.MINUTES));
            String printed = Files.readString(out);
            assertEquals(0, sweep.exitValue(), printed);
            assertTrue(printed.contains("3 completed, 0 diverged, 0 failed"), printed);
            assertTrue(printed.contains("MLflow: cannot send to " + server.uri()), printed);

            server.start();
            NinProcess.Result sync = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).env("MLFLOW_TRACKING_URI", server.uri()).run("sync");
            assertEquals(0, sync.exitCode(), sync.all());
            NinProcess.Result again = new NinProcess().env("NIN_HOME", home.toString())
                    .env("NIN_DB_EMBEDDED_PORT", Integer.toString(port)).run("sync", "--to", server.uri());
            assertEquals(0, again.exitCode(), again.all());
            assertTrue(again.out().contains("already up to date"), again.out());
            assertMirrored(new MlflowClient(server.uri()), server.uri(), "outage", 3, 2);
        } finally {
            server.stop();
        }
    }

    @Test
    void syncWithoutAServerSaysSoAndLosesNothing() throws Exception {
        NinProcess.Result none = nin.run("sync");
        assertEquals(ExitCode.USAGE.code, none.exitCode(), none.all());
        assertTrue(none.err().contains("set MLFLOW_TRACKING_URI or pass --to URI"), none.err());
        NinProcess.Result down = nin.run("sync", "--to", "http://127.0.0.1:" + NinProcess.freePort());
        assertEquals(ExitCode.MLFLOW.code, down.exitCode(), down.all());
        assertTrue(down.err().contains("nothing is lost"), down.err());
    }
}
