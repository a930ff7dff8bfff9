package dev.nin.track;

import dev.nin.model.CostReport;
import dev.nin.store.TrialConfig;
import dev.nin.model.NetworkPlan;
import dev.nin.report.LayerTable;
import dev.nin.store.Store;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;

/**
 * Mirrors the store into one MLflow tracking server: one experiment per sweep (trials of
 * {@code ./nin train} go to the experiment {@value #TRAIN_EXPERIMENT}), a parent run per sweep, a
 * nested child run per trial. Idempotent: what MLflow acknowledged is recorded in
 * {@code mlflow_links}, and a run created just before a crash is found again by its tags.
 */
public final class MlflowSync {

    /** Experiment of trials run by {@code ./nin train} outside any sweep. */
    public static final String TRAIN_EXPERIMENT = "nin-train";

    private static final String[] EPOCH_METRICS = {"train_loss", "train_accuracy", "validation_accuracy", "test_accuracy",
        "images_per_second"};

    private final Store store;
    private final String uri;
    private final MlflowClient client;
    private final ArtifactUploader artifacts;
    private String storeId;

    public MlflowSync(Store store, String trackingUri) {
        this.store = store;
        this.uri = trackingUri.replaceAll("/+$", "");
        this.client = new MlflowClient(uri);
        this.artifacts = new ArtifactUploader(URI.create(uri + "/"));
    }

    public String trackingUri() {
        return uri;
    }

    /** What one pass sent. */
    public record Sent(int runs, int epochs, int finished, int artifacts) {
        Sent plus(Sent o) {
            return new Sent(runs + o.runs, epochs + o.epochs, finished + o.finished, artifacts + o.artifacts);
        }

        public boolean nothing() {
            return runs + epochs + finished + artifacts == 0;
        }
    }

    /** Checks the server answers ({@code GET /health}), so an absent server is reported even with nothing to send. */
    public void ping() throws IOException {
        try {
            var response = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build().send(
                    java.net.http.HttpRequest.newBuilder(URI.create(uri + "/health")).timeout(java.time.Duration.ofSeconds(20)).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IOException("GET " + uri + "/health answered HTTP " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.net.ConnectException e) {
            throw new IOException("connection refused", e);
        }
    }

    /** Sends everything not yet acknowledged, of one sweep or of all. */
    public Sent syncPending(Optional<Long> sweepId) throws IOException {
        List<Long> trials = new ArrayList<>();
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT t.id FROM trials t
                        LEFT JOIN mlflow_links l ON l.tracking_uri = ? AND l.kind = 'trial' AND l.local_id = t.id
                        WHERE t.state <> 'pending' AND (?::bigint IS NULL OR t.sweep_id = ?)
                          AND (l.run_id IS NULL OR NOT l.params_sent OR NOT l.finished_sent OR NOT l.artifacts_sent
                               OR l.epochs_sent < (SELECT coalesce(max(epoch), 0) FROM epoch_metrics m WHERE m.trial_id = t.id))
                        ORDER BY t.id""")) {
            s.setString(1, uri);
            s.setObject(2, sweepId.orElse(null));
            s.setObject(3, sweepId.orElse(null));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    trials.add(r.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IOException("reading the store: " + e.getMessage(), e);
        }
        Sent sent = new Sent(0, 0, 0, 0);
        for (long trial : trials) {
            sent = sent.plus(syncTrial(trial));
        }
        return sent;
    }

    /**
     * Uploads a report folder's files (Markdown and charts) under {@code report/} of the sweep's
     * parent run, after sending whatever of the sweep MLflow still lacks. Uploading again replaces them.
     *
     * @return the number of files uploaded
     * @throws IOException when MLflow is unreachable, refuses, or has no run of the sweep (none of its trials started)
     */
    public int uploadReport(long sweepId, Path folder) throws IOException {
        syncPending(Optional.of(sweepId));
        String runId;
        try (Connection c = store.connection()) {
            Link link = Link.load(c, uri, "sweep", sweepId);
            if (link == null) {
                throw new IOException("the sweep has no run in MLflow yet (none of its trials has started)");
            }
            runId = link.runId;
        } catch (SQLException e) {
            throw new IOException("reading the store: " + e.getMessage(), e);
        }
        try {
            String artifactUri = client.getRun(runId).getInfo().getArtifactUri();
            List<Path> files;
            try (var listing = java.nio.file.Files.list(folder)) {
                files = listing.filter(java.nio.file.Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                String type = name.endsWith(".png") ? "image/png" : name.endsWith(".md") ? "text/markdown" : "application/octet-stream";
                artifacts.upload(artifactUri, "report/" + name, java.nio.file.Files.readAllBytes(file), type);
            }
            return files.size();
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /** Sends what MLflow lacks of one trial (run, params, epochs, end, artifacts) and of its sweep's parent run. */
    public Sent syncTrial(long trialId) throws IOException {
        try (Connection c = store.connection()) {
            Trial t = Trial.load(c, trialId);
            if (t == null || t.state.equals("pending") || t.device == null) {
                // Not started, or claimed but not yet set up by its worker: the next pass sends it.
                return new Sent(0, 0, 0, 0);
            }
            String experiment = experiment(t.sweepName == null ? TRAIN_EXPERIMENT : t.sweepName);
            int runs = 0;
            Optional<String> parent = Optional.empty();
            if (t.sweepId != null) {
                Link sweepLink = Link.load(c, uri, "sweep", t.sweepId);
                if (sweepLink == null) {
                    String runId = findOrCreateRun(experiment, "sweep", t.sweepId, t.sweepName, null, t.gitCommit);
                    sweepLink = Link.insert(c, uri, "sweep", t.sweepId, experiment, runId);
                    runs++;
                }
                parent = Optional.of(sweepLink.runId);
            }
            Link link = Link.load(c, uri, "trial", trialId);
            if (link == null) {
                String runId = findOrCreateRun(experiment, "trial", trialId, t.runName(), parent.orElse(null), t.gitCommit);
                link = Link.insert(c, uri, "trial", trialId, experiment, runId);
                runs++;
            }
            if (!link.paramsSent) {
                sendBatches(link.runId, List.of(), t.params(), List.of());
                link.mark(c, "params_sent = true");
            }
            int epochs = sendEpochs(c, t, link);
            int finished = 0;
            int uploaded = 0;
            if (t.ended()) {
                if (!link.finishedSent) {
                    sendBatches(link.runId, t.resourceMetrics(c), List.of(), t.endTags());
                    client.setTerminated(link.runId, t.status(), t.endedAt == null ? System.currentTimeMillis() : t.endedAt.getTime());
                    link.mark(c, "finished_sent = true");
                    finished++;
                }
                if (!link.artifactsSent) {
                    uploaded = uploadArtifacts(c, t, link);
                    link.mark(c, "artifacts_sent = true");
                }
            }
            if (t.sweepId != null) {
                finishSweepIfDone(c, t.sweepId);
            }
            return new Sent(runs, epochs, finished, uploaded);
        } catch (SQLException e) {
            throw new IOException("reading the store: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The MLflow client reports HTTP and connection failures as unchecked exceptions.
            throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    private int sendEpochs(Connection c, Trial t, Link link) throws SQLException {
        List<Metric> metrics = new ArrayList<>();
        int last = link.epochsSent;
        try (PreparedStatement s = c.prepareStatement("SELECT epoch, train_loss, train_accuracy, validation_accuracy,"
                + " test_accuracy, images_per_second, recorded_at FROM epoch_metrics WHERE trial_id = ? AND epoch > ? ORDER BY epoch")) {
            s.setLong(1, t.id);
            s.setInt(2, link.epochsSent);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    int epoch = r.getInt(1);
                    // The store's timestamp, so a resend after a crash is an exact duplicate MLflow keeps once.
                    long timestamp = r.getTimestamp(7).getTime();
                    for (int i = 0; i < EPOCH_METRICS.length; i++) {
                        double v = r.getDouble(2 + i);
                        if (!r.wasNull()) {
                            metrics.add(Metric.newBuilder().setKey(EPOCH_METRICS[i]).setValue(v).setTimestamp(timestamp)
                                    .setStep(epoch).build());
                        }
                    }
                    last = epoch;
                }
            }
        }
        if (metrics.isEmpty()) {
            return 0;
        }
        sendBatches(link.runId, metrics, List.of(), List.of());
        int sent = last - link.epochsSent;
        link.mark(c, "epochs_sent = " + last);
        return sent;
    }

    /** Sends metrics, params and tags in batches within MLflow's limits. */
    void sendBatches(String runId, List<Metric> metrics, List<MlflowLimits.Entry> params, List<MlflowLimits.Entry> tags) {
        for (List<Metric> chunk : MlflowLimits.chunks(metrics, MlflowLimits.METRICS_PER_BATCH)) {
            client.logBatch(runId, chunk, List.of(), List.of());
        }
        List<Param> p = params.stream().map(e -> Param.newBuilder().setKey(e.key()).setValue(e.value()).build()).toList();
        for (List<Param> chunk : MlflowLimits.chunks(p, MlflowLimits.PARAMS_PER_BATCH)) {
            client.logBatch(runId, List.of(), chunk, List.of());
        }
        List<RunTag> t = tags.stream().map(e -> RunTag.newBuilder().setKey(e.key()).setValue(e.value()).build()).toList();
        for (List<RunTag> chunk : MlflowLimits.chunks(t, MlflowLimits.TAGS_PER_BATCH)) {
            client.logBatch(runId, List.of(), List.of(), chunk);
        }
    }

    private int uploadArtifacts(Connection c, Trial t, Link link) throws IOException, SQLException {
        String artifactUri = client.getRun(link.runId).getInfo().getArtifactUri();
        artifacts.upload(artifactUri, "config.json", t.config.getBytes(StandardCharsets.UTF_8), "application/json");
        StringWriter table = new StringWriter();
        try (PrintWriter out = new PrintWriter(table)) {
            NetworkPlan plan = NetworkPlan.of(TrialConfig.modelOf(t.config, t.variant, t.dropout), t.resize);
            LayerTable.print(out, new CostReport(plan), t.batchSize, t.momentum > 0 ? 1 : 0);
        }
        artifacts.upload(artifactUri, "layers.txt", table.toString().getBytes(StandardCharsets.UTF_8), "text/plain");
        List<CurvesChart.Point> points = CurvesChart.load(c, t.id);
        artifacts.upload(artifactUri, "curves.png", CurvesChart.png(t.runName(), points), "image/png");
        int uploaded = 3;
        try (PreparedStatement s = c.prepareStatement("SELECT path FROM artifacts WHERE trial_id = ? AND kind = 'saved_model'")) {
            s.setLong(1, t.id);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    java.nio.file.Path folder = java.nio.file.Path.of(r.getString(1));
                    if (!java.nio.file.Files.isDirectory(folder)) {
                        continue; // exported on another machine: only that machine can send it
                    }
                    try (var walk = java.nio.file.Files.walk(folder)) {
                        for (java.nio.file.Path file : walk.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
                            artifacts.upload(artifactUri, "model/" + folder.relativize(file).toString().replace('\\', '/'),
                                    java.nio.file.Files.readAllBytes(file), "application/octet-stream");
                            uploaded++;
                        }
                    }
                }
            }
        }
        return uploaded;
    }

    private void finishSweepIfDone(Connection c, long sweepId) throws SQLException {
        Link link = Link.load(c, uri, "sweep", sweepId);
        if (link == null || link.finishedSent) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM trials WHERE sweep_id = ? AND state IN ('pending', 'running')")) {
            s.setLong(1, sweepId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                if (r.getInt(1) > 0) {
                    return;
                }
            }
        }
        client.setTerminated(link.runId, RunStatus.FINISHED, System.currentTimeMillis());
        link.mark(c, "finished_sent = true");
    }

    private String experiment(String name) {
        String key = MlflowLimits.key(name);
        return client.getExperimentByName(key).map(e -> e.getExperimentId()).orElseGet(() -> {
            try {
                return client.createExperiment(key);
            } catch (RuntimeException e) {
                // Another process created it in between.
                return client.getExperimentByName(key).orElseThrow(() -> e).getExperimentId();
            }
        });
    }

    /** The run tagged with this store's id and the local id, created if MLflow has none. */
    private String findOrCreateRun(String experiment, String kind, long localId, String runName, String parentRunId,
            String gitCommit) throws SQLException {
        String store = storeId();
        var found = client.searchRuns(List.of(experiment), "tags.`nin.store` = '" + store + "' and tags.`nin.kind` = '" + kind
                + "' and tags.`nin.local_id` = '" + localId + "'");
        if (!found.isEmpty()) {
            return found.get(0).getRunId();
        }
        List<RunTag> tags = new ArrayList<>();
        tags.add(tag("mlflow.runName", runName));
        tags.add(tag("mlflow.user", System.getProperty("user.name", "nin")));
        tags.add(tag("mlflow.source.name", "nin"));
        tags.add(tag("mlflow.source.type", "LOCAL"));
        tags.add(tag("mlflow.source.git.commit", gitCommit == null ? "unknown" : gitCommit));
        tags.add(tag("nin.store", store));
        tags.add(tag("nin.kind", kind));
        tags.add(tag("nin.local_id", Long.toString(localId)));
        if (parentRunId != null) {
            tags.add(tag("mlflow.parentRunId", parentRunId));
        }
        RunInfo run = client.createRun(CreateRun.newBuilder().setExperimentId(experiment).setRunName(runName)
                .setStartTime(System.currentTimeMillis()).addAllTags(tags).build());
        return run.getRunId();
    }

    private static RunTag tag(String key, String value) {
        return RunTag.newBuilder().setKey(key).setValue(value).build();
    }

    private String storeId() throws SQLException {
        if (storeId == null) {
            try (Connection c = store.connection(); var s = c.createStatement(); var r = s.executeQuery("SELECT id FROM store_identity")) {
                r.next();
                storeId = r.getString(1);
            }
        }
        return storeId;
    }

    /** One row of mlflow_links. */
    private static final class Link {
        String uri;
        String kind;
        long localId;
        String runId;
        boolean paramsSent;
        int epochsSent;
        boolean finishedSent;
        boolean artifactsSent;

        static Link load(Connection c, String uri, String kind, long localId) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT run_id, params_sent, epochs_sent, finished_sent, artifacts_sent"
                    + " FROM mlflow_links WHERE tracking_uri = ? AND kind = ? AND local_id = ?")) {
                s.setString(1, uri);
                s.setString(2, kind);
                s.setLong(3, localId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return null;
                    }
                    Link l = new Link();
                    l.uri = uri;
                    l.kind = kind;
                    l.localId = localId;
                    l.runId = r.getString(1);
                    l.paramsSent = r.getBoolean(2);
                    l.epochsSent = r.getInt(3);
                    l.finishedSent = r.getBoolean(4);
                    l.artifactsSent = r.getBoolean(5);
                    return l;
                }
            }
        }

        static Link insert(Connection c, String uri, String kind, long localId, String experiment, String runId) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO mlflow_links (tracking_uri, kind, local_id, experiment_id, run_id)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                s.setString(1, uri);
                s.setString(2, kind);
                s.setLong(3, localId);
                s.setString(4, experiment);
                s.setString(5, runId);
                s.executeUpdate();
            }
            return load(c, uri, kind, localId);
        }

        void mark(Connection c, String assignment) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("UPDATE mlflow_links SET " + assignment + ", updated_at = now()"
                    + " WHERE tracking_uri = ? AND kind = ? AND local_id = ?")) {
                s.setString(1, uri);
                s.setString(2, kind);
                s.setLong(3, localId);
                s.executeUpdate();
            }
            Link fresh = load(c, uri, kind, localId);
            paramsSent = fresh.paramsSent;
            epochsSent = fresh.epochsSent;
            finishedSent = fresh.finishedSent;
            artifactsSent = fresh.artifactsSent;
        }
    }

    /** The store's view of one trial, as MLflow shows it. */
    private static final class Trial {
        long id;
        Long sweepId;
        String sweepName;
        String state;
        String variant;
        long seed;
        double lr;
        int epochs;
        int batchSize;
        int resize;
        double momentum;
        boolean nesterov;
        double weightDecay;
        double dropout;
        int trainLimit;
        int validationSize;
        int testLimit;
        String config;
        String configHash;
        String configuration;
        String device;
        String gitCommit;
        String ninVersion;
        String djlVersion;
        String tensorflowVersion;
        String javaVersion;
        String error;
        String divergedAt;
        String stoppedAt;
        Timestamp endedAt;

        static Trial load(Connection c, long id) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("SELECT t.*, w.name AS sweep_name FROM trials t"
                    + " LEFT JOIN sweeps w ON w.id = t.sweep_id WHERE t.id = ?")) {
                s.setLong(1, id);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return null;
                    }
                    Trial t = new Trial();
                    t.id = id;
                    t.sweepId = (Long) r.getObject("sweep_id");
                    t.sweepName = r.getString("sweep_name");
                    t.state = r.getString("state");
                    t.variant = r.getString("variant");
                    t.seed = r.getLong("seed");
                    t.lr = r.getDouble("learning_rate");
                    t.epochs = r.getInt("epochs");
                    t.batchSize = r.getInt("batch_size");
                    t.resize = r.getInt("resize");
                    t.momentum = r.getDouble("momentum");
                    t.nesterov = r.getBoolean("nesterov");
                    t.weightDecay = r.getDouble("weight_decay");
                    t.dropout = r.getDouble("dropout");
                    t.trainLimit = r.getInt("train_limit");
                    t.validationSize = r.getInt("validation_size");
                    t.testLimit = r.getInt("test_limit");
                    t.config = r.getString("config");
                    t.configHash = r.getString("config_hash");
                    t.configuration = r.getString("configuration");
                    t.device = r.getString("device");
                    t.gitCommit = r.getString("git_commit");
                    t.ninVersion = r.getString("nin_version");
                    t.djlVersion = r.getString("djl_version");
                    t.tensorflowVersion = r.getString("tensorflow_version");
                    t.javaVersion = r.getString("java_version");
                    t.error = r.getString("error");
                    t.divergedAt = r.getString("diverged_at");
                    t.stoppedAt = r.getString("stopped_at");
                    t.endedAt = r.getTimestamp("ended_at");
                    return t;
                }
            }
        }

        boolean ended() {
            return List.of("completed", "diverged", "failed", "interrupted", "stalled", "pruned").contains(state);
        }

        RunStatus status() {
            return switch (state) {
                case "completed" -> RunStatus.FINISHED;
                // Stopped on purpose, by the stall rule or the pruning rule: MLflow's "killed", with nin.state saying which.
                case "interrupted", "stalled", "pruned" -> RunStatus.KILLED;
                default -> RunStatus.FAILED;
            };
        }

        /** Human-readable: variant, learning rate, seed. */
        String runName() {
            return variant + " lr=" + lr + " seed=" + seed + " #" + id;
        }

        List<MlflowLimits.Entry> params() {
            List<MlflowLimits.Entry> p = new ArrayList<>();
            add(p, "variant", variant);
            add(p, "learning_rate", lr);
            add(p, "epochs", epochs);
            add(p, "batch_size", batchSize);
            add(p, "resize", resize);
            add(p, "seed", seed);
            add(p, "momentum", momentum);
            add(p, "nesterov", nesterov);
            add(p, "weight_decay", weightDecay);
            add(p, "dropout", dropout);
            add(p, "train_limit", trainLimit);
            add(p, "validation_size", validationSize);
            add(p, "test_limit", testLimit);
            dev.nin.train.TrainingOptions o = TrialConfig.optionsOf(config);
            add(p, "schedule", o.schedule().kind().key());
            add(p, "warmup_epochs", o.schedule().warmupEpochs());
            add(p, "step_epochs", o.schedule().stepEpochs());
            add(p, "step_gamma", o.schedule().stepGamma());
            add(p, "init", o.initializer().key());
            add(p, "label_smoothing", o.transforms().labelSmoothing());
            add(p, "crop_padding", o.transforms().cropPadding());
            add(p, "flip", o.transforms().flip());
            add(p, "stall_steps", o.stall().steps());
            add(p, "stall_band", o.stall().band());
            add(p, "device", device);
            add(p, "config_hash", configHash);
            add(p, "configuration", configuration);
            add(p, "nin_version", ninVersion);
            add(p, "djl_version", djlVersion);
            add(p, "tensorflow_version", tensorflowVersion);
            add(p, "java_version", javaVersion);
            add(p, "nin_trial_id", id);
            return p;
        }

        private static void add(List<MlflowLimits.Entry> p, String key, Object value) {
            p.addAll(MlflowLimits.split(key, String.valueOf(value), MlflowLimits.MAX_PARAM_VALUE));
        }

        List<MlflowLimits.Entry> endTags() {
            List<MlflowLimits.Entry> tags = new ArrayList<>(MlflowLimits.split("nin.state", state, MlflowLimits.MAX_TAG_VALUE));
            if (divergedAt != null) {
                tags.addAll(MlflowLimits.split("nin.diverged_at", divergedAt, MlflowLimits.MAX_TAG_VALUE));
            }
            if (stoppedAt != null) {
                tags.addAll(MlflowLimits.split("nin.stopped_at", stoppedAt, MlflowLimits.MAX_TAG_VALUE));
            }
            if (error != null) {
                tags.addAll(MlflowLimits.split("nin.error", error, MlflowLimits.MAX_TAG_VALUE));
            }
            return tags;
        }

        List<Metric> resourceMetrics(Connection c) throws SQLException {
            List<Metric> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT parameters, multiply_adds, forward_flops, training_step_flops,"
                    + " training_memory_bytes_estimated, prediction_memory_bytes_estimated, training_memory_bytes_measured,"
                    + " prediction_memory_bytes_measured, training_memory_bytes_estimated_batch1, prediction_memory_bytes_estimated_batch1,"
                    + " training_memory_bytes_measured_batch1, prediction_memory_bytes_measured_batch1"
                    + " FROM resource_profiles WHERE trial_id = ?")) {
                s.setLong(1, id);
                try (ResultSet r = s.executeQuery()) {
                    if (r.next()) {
                        long now = endedAt == null ? System.currentTimeMillis() : endedAt.getTime();
                        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                            double v = r.getDouble(i);
                            if (!r.wasNull()) {
                                out.add(Metric.newBuilder().setKey(r.getMetaData().getColumnLabel(i)).setValue(v)
                                        .setTimestamp(now).setStep(0).build());
                            }
                        }
                    }
                }
            }
            return out;
        }
    }
}
