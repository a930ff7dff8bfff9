package dev.nin.track;

import dev.nin.config.UsageException;
import dev.nin.model.ComputePrecision;
import dev.nin.report.CurvesChart;
import dev.nin.data.IdxReader;
import dev.nin.model.CostReport;
import dev.nin.model.NetworkPlan;
import dev.nin.report.LayerTable;
import dev.nin.store.MlflowOutbox;
import dev.nin.store.Store;
import dev.nin.store.TrialConfig;
import dev.nin.store.query.TrialEpochs;
import dev.nin.store.TrialState;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;

/**
 * Shows the store in one MLflow tracking server: one experiment per sweep (trials of
 * {@code ./nin train} go to the experiment {@value #TRAIN_EXPERIMENT}), a parent run per sweep, a
 * nested child run per trial.
 *
 * <p>MLflow is a projection of the store, recomputed: for each run, what it should show (status,
 * start and end, tags, params, every metric point, artifacts) is built from the store and compared
 * with what the server has (read back), and only the difference is sent. What MLflow cannot change
 * (a run's start time, a logged param, a metric's history, an end time once set) is not left wrong:
 * the run is deleted and created again, and the link in {@code mlflow_links} follows. A fingerprint
 * of the store's side per run ({@code mlflow_links.synced_token}) lets a pass skip runs nothing
 * changed for; {@link #syncAll} reads every run back regardless.
 */
public final class MlflowSync {

    /** Experiment of trials run by {@code ./nin train} outside any sweep. */
    public static final String TRAIN_EXPERIMENT = "nin-train";

    /** Prefix of the one-off resource figures (parameters, FLOPs, memory), apart from the per-epoch curves. */
    public static final String RESOURCES = "resources/";

    /**
     * Names what a run shows and how; part of every fingerprint, so a nin that shows runs
     * differently checks every run again. Change it whenever the projection below changes.
     */
    static final String PROJECTION = "nin-mlflow-projection-4";

    private static final String[] EPOCH_METRICS = {"train_loss", "train_accuracy", "validation_accuracy", "test_accuracy",
        "images_per_second"};

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MlflowOutbox outbox;
    private final String uri;
    private final MlflowClient client;
    private final ArtifactUploader artifacts;
    private final LoggedModels loggedModels;
    private final Map<String, String> experiments = new HashMap<>();
    private String storeId;

    public MlflowSync(Store store, String trackingUri) {
        this.outbox = new MlflowOutbox(store);
        this.uri = trackingUri.replaceAll("/+$", "");
        this.client = new MlflowClient(uri);
        this.artifacts = new ArtifactUploader(baseUri(uri));
        this.loggedModels = new LoggedModels(uri, artifacts);
    }

    /** The tracking server's base address; the user gave it (MLFLOW_TRACKING_URI or --to), so a bad one is their mistake. */
    static URI baseUri(String trackingUri) {
        try {
            URI base = new URI(trackingUri + "/");
            if (base.getScheme() != null && base.getScheme().matches("https?") && base.getHost() != null) {
                return base;
            }
        } catch (java.net.URISyntaxException e) {
            // Refused below, in the same words.
        }
        throw new UsageException("MLflow tracking URI: expected an http(s) URL such as http://127.0.0.1:5000, found '"
                + dev.nin.io.Redaction.redact(trackingUri, java.util.List.of()) + "'");
    }

    public String trackingUri() {
        return uri;
    }

    /** What one pass did. */
    public record Sent(int created, int replaced, int updated, int metrics, int artifacts) {

        static final Sent NONE = new Sent(0, 0, 0, 0, 0);

        Sent plus(Sent o) {
            return new Sent(created + o.created, replaced + o.replaced, updated + o.updated, metrics + o.metrics,
                    artifacts + o.artifacts);
        }

        public boolean nothing() {
            return created + replaced + updated + metrics + artifacts == 0;
        }

        /** e.g. "2 runs created, 1 replaced, 3 updated; 40 metric values and 7 artifacts sent". */
        public String describe() {
            return nothing() ? "already up to date"
                    : created + " runs created, " + replaced + " replaced, " + updated + " updated; " + metrics
                            + " metric values and " + artifacts + " artifacts sent";
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

    /**
     * Brings the runs of everything that changed in the store since its run was last checked (of one
     * sweep or all) to what the store says; cheap when nothing changed (no request to MLflow).
     */
    public Sent syncPending(Optional<Long> sweepId) throws IOException {
        return sync(sweepId, false);
    }

    /**
     * Reads every run (of one sweep or all) back from MLflow and brings it to what the store says,
     * also runs nothing changed for in the store (changed, deleted or lost on the server's side).
     * Sends nothing when all is equal.
     */
    public Sent syncAll(Optional<Long> sweepId) throws IOException {
        return sync(sweepId, true);
    }

    private Sent sync(Optional<Long> sweepId, boolean all) throws IOException {
        try (AutoCloseable lock = outbox.lock(uri)) {
            experiments.clear(); // looked up again each pass: one may have been deleted or restored meanwhile
            Sent sent = Sent.NONE;
            // Parents first: a trial's run names its parent's run id.
            for (MlflowOutbox.Candidate c : outbox.sweeps(uri, PROJECTION, sweepId)) {
                if (all || c.changed()) {
                    sent = sent.plus(syncSweep(c));
                }
            }
            for (MlflowOutbox.Candidate c : outbox.trials(uri, PROJECTION, sweepId)) {
                if (all || c.changed()) {
                    sent = sent.plus(syncTrial(c));
                }
            }
            return sent;
        } catch (SQLException e) {
            throw new IOException("reading the store: " + e.getMessage(), e);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            // The MLflow client reports HTTP and connection failures as unchecked exceptions.
            throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } catch (Exception e) {
            throw new IOException("releasing the store's MLflow lock: " + e.getMessage(), e);
        }
    }

    /**
     * Uploads a report folder's files (Markdown and charts) under {@code report/} of the sweep's
     * parent run, after bringing the sweep's runs up to date. Uploading again replaces them.
     *
     * @return the number of files uploaded
     * @throws IOException when MLflow is unreachable, refuses, or has no run of the sweep (none of its trials started)
     */
    public int uploadReport(long sweepId, Path folder) throws IOException {
        syncPending(Optional.of(sweepId));
        String runId;
        try {
            runId = outbox.link(uri, "sweep", sweepId).map(MlflowOutbox.Link::runId).orElseThrow(
                    () -> new IOException("the sweep has no run in MLflow yet (none of its trials has started)"));
        } catch (SQLException e) {
            throw new IOException("reading the store: " + e.getMessage(), e);
        }
        try {
            String artifactUri = client.getRun(runId).getInfo().getArtifactUri();
            List<Path> files;
            try (var listing = Files.list(folder)) {
                files = listing.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                String type = name.endsWith(".png") ? "image/png" : name.endsWith(".md") ? "text/markdown" : "application/octet-stream";
                artifacts.upload(artifactUri, "report/" + name, Files.readAllBytes(file), type);
            }
            return files.size();
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- what a run should show

    /** One point of a metric's history. */
    record Point(long step, double value, long timestamp) {

        static Comparator<Point> LATEST = Comparator.comparingLong(Point::step).thenComparingLong(Point::timestamp)
                .thenComparingDouble(Point::value);

        boolean same(Metric m) {
            return m.getStep() == step && m.getTimestamp() == timestamp && Double.compare(m.getValue(), value) == 0;
        }
    }

    /** Sends one artifact (a file, or a folder of files) under the run's artifact root; returns how many files. */
    interface Upload {
        int to(String artifactUri) throws IOException;
    }

    /**
     * An artifact a run should have: its path under the run's root ({@code model/} for a folder), a
     * hash of what it shows, its size when known (checked against the server's listing), and how to send it.
     */
    record Artifact(String path, String hash, Long size, Upload upload) {

        boolean folder() {
            return path.endsWith("/");
        }
    }

    /**
     * What one run should show. {@code end} is null while the run is not over; {@code tags} are
     * those nin manages (it removes other {@code nin.*} ones); params and metrics are complete.
     */
    record RunSpec(String kind, long localId, String experiment, String name, long start, Long end, RunStatus status,
            Map<String, String> tags, Map<String, String> params, Map<String, List<Point>> metrics, List<Artifact> artifacts,
            List<LoggedModels.Spec> models) {}

    private Sent syncTrial(MlflowOutbox.Candidate candidate) throws IOException, SQLException {
        Optional<MlflowOutbox.Trial> found = outbox.trial(candidate.localId());
        if (found.isEmpty()) {
            return Sent.NONE;
        }
        MlflowOutbox.Trial t = found.get();
        String parent = null;
        Sent sent = Sent.NONE;
        if (t.sweepId() != null) {
            Optional<MlflowOutbox.Link> link = outbox.link(uri, "sweep", t.sweepId());
            if (link.isEmpty()) {
                // Its sweep's candidate was left out (another filter, or the sweep started in between): its parent first.
                for (MlflowOutbox.Candidate c : outbox.sweeps(uri, PROJECTION, Optional.of(t.sweepId()))) {
                    sent = sent.plus(syncSweep(c));
                }
                link = outbox.link(uri, "sweep", t.sweepId());
            }
            parent = link.map(MlflowOutbox.Link::runId).orElse(null);
        }
        return sent.plus(reconcile(trialRun(t, parent), candidate));
    }

    private Sent syncSweep(MlflowOutbox.Candidate candidate) throws IOException, SQLException {
        Optional<MlflowOutbox.Sweep> sweep = outbox.sweep(candidate.localId());
        if (sweep.isEmpty()) {
            return Sent.NONE;
        }
        RunSpec spec = sweepRun(sweep.get());
        return spec == null ? Sent.NONE : reconcile(spec, candidate);
    }

    RunSpec trialRun(MlflowOutbox.Trial t, String parentRunId) throws IOException {
        long start = t.startedAt().toEpochMilli();
        Long end = t.ended() ? Math.max(start, t.endedAt() == null ? start : t.endedAt().toEpochMilli()) : null;
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlflow.runName", runName(t));
        tags.put("mlflow.source.name", "nin");
        tags.put("mlflow.source.git.commit", t.gitCommit() == null ? "unknown" : t.gitCommit());
        tags.put("nin.store", storeId());
        tags.put("nin.kind", "trial");
        tags.put("nin.local_id", Long.toString(t.id()));
        if (parentRunId != null) {
            tags.put("mlflow.parentRunId", parentRunId);
        }
        putSplit(tags, "nin.state", t.state(), MlflowLimits.MAX_TAG_VALUE);
        if (t.divergedAt() != null) {
            putSplit(tags, "nin.diverged_at", t.divergedAt(), MlflowLimits.MAX_TAG_VALUE);
        }
        if (t.stoppedAt() != null) {
            putSplit(tags, "nin.stopped_at", t.stoppedAt(), MlflowLimits.MAX_TAG_VALUE);
        }
        if (t.error() != null) {
            putSplit(tags, "nin.error", t.error(), MlflowLimits.MAX_TAG_VALUE);
        }
        if (t.samplerPhase() != null) {
            // A TPE trial: one of the random start-up draws, or decided by the model from the trials before it.
            tags.put("nin.sampler_phase", t.samplerPhase());
        }

        Map<String, List<Point>> metrics = new LinkedHashMap<>();
        for (TrialEpochs.Epoch e : t.epochRows()) {
            // The store's timestamp: the same epoch always gives the same point.
            long at = e.recordedAt().toEpochMilli();
            Double[] values = {e.trainLoss(), e.trainAccuracy(), e.validationAccuracy(), e.testAccuracy(), e.imagesPerSecond()};
            for (int i = 0; i < EPOCH_METRICS.length; i++) {
                if (values[i] != null) {
                    metrics.computeIfAbsent(EPOCH_METRICS[i], k -> new ArrayList<>()).add(new Point(e.epoch(), values[i], at));
                }
            }
        }
        // One-off figures, at step 0 and the trial's first start: the same figure always gives the same point.
        t.resources().forEach((name, value) -> metrics.put(RESOURCES + name, List.of(new Point(0, value, start))));

        List<Artifact> files = new ArrayList<>();
        files.add(file("config.json", t.config().getBytes(StandardCharsets.UTF_8), "application/json"));
        files.add(file("layers.txt", layerTable(t).getBytes(StandardCharsets.UTF_8), "text/plain"));
        if (t.ended()) {
            // Drawn only when the trial is over (and again only when its epochs changed), not after every epoch.
            List<CurvesChart.Point> points = CurvesChart.points(t.epochRows());
            String title = runName(t);
            files.add(new Artifact("curves.png", sha256(title + "\n" + points), null,
                    root -> upload(root, "curves.png", CurvesChart.png(title, points), "image/png")));
        }
        // The exported SavedModel, as an MLflow Model logged as the run's output (MLflow 3's logged models).
        List<LoggedModels.Spec> models = new ArrayList<>();
        for (MlflowOutbox.SavedModel model : t.savedModels()) {
            Path folder = Path.of(model.path());
            if (Files.isDirectory(folder)) { // exported on another machine: only that machine can send it
                Map<String, String> identity = new LinkedHashMap<>();
                for (String key : List.of("nin.store", "nin.kind", "nin.local_id")) {
                    identity.put(key, tags.get(key));
                }
                models.add(new LoggedModels.Spec(MlflowLimits.key(t.variant() + "-trial-" + t.id()), folder, model.sha256(),
                        t.epochRows().size(), t.tensorflowVersion(), identity, dev.nin.model.Variants.CLASSES));
            }
        }
        return new RunSpec("trial", t.id(), t.sweepName() == null ? TRAIN_EXPERIMENT : t.sweepName(), runName(t), start, end,
                status(t.state()), tags, params(t), metrics, files, models);
    }

    /** The sweep's parent run, or null while none of its trials has started. */
    RunSpec sweepRun(MlflowOutbox.Sweep s) throws IOException {
        List<MlflowOutbox.Trial> started = s.trials().stream().filter(t -> t.startedAt() != null).toList();
        if (started.isEmpty()) {
            return null;
        }
        long start = started.stream().mapToLong(t -> t.startedAt().toEpochMilli()).min().orElseThrow();
        boolean active = s.trials().stream().anyMatch(t -> !t.ended());
        List<MlflowOutbox.Trial> ended = s.trials().stream().filter(t -> t.ended() && t.endedAt() != null)
                .sorted(Comparator.comparing(MlflowOutbox.Trial::endedAt).thenComparingLong(MlflowOutbox.Trial::id)).toList();
        Long end = active || ended.isEmpty() ? null
                : Math.max(start, ended.get(ended.size() - 1).endedAt().toEpochMilli());
        RunStatus status = active ? RunStatus.RUNNING
                : ended.stream().anyMatch(t -> TrialState.of(t.state()) == TrialState.INTERRUPTED) ? RunStatus.KILLED
                        : RunStatus.FINISHED;

        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlflow.runName", MlflowLimits.key(s.name()));
        tags.put("mlflow.source.name", "nin");
        String commit = started.stream().map(MlflowOutbox.Trial::gitCommit).filter(Objects::nonNull).findFirst().orElse("unknown");
        tags.put("mlflow.source.git.commit", commit);
        tags.put("nin.store", storeId());
        tags.put("nin.kind", "sweep");
        tags.put("nin.local_id", Long.toString(s.id()));
        if (s.description() != null && !s.description().isBlank()) {
            // MLflow shows this tag as the run's description.
            tags.put("mlflow.note.content", s.description());
        }

        // Params every trial of the sweep shares (a trial not yet run has no device or versions yet).
        Map<String, String> params = null;
        for (MlflowOutbox.Trial t : s.trials()) {
            Map<String, String> own = params(t);
            own.remove("nin_trial_id");
            if (params == null) {
                params = own;
            } else {
                params.entrySet().removeIf(e -> !e.getValue().equals(own.get(e.getKey())));
            }
        }
        params.putAll(split("sweep_metric", s.metric(), MlflowLimits.MAX_PARAM_VALUE));

        // Step k: the sweep after its first k trials ended (in the order they ended), so the chart view
        // shows the best validation accuracy so far and how trials ended.
        Map<String, List<Point>> metrics = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        MlflowOutbox.ENDED.forEach(state -> counts.put(state, 0));
        double best = Double.NaN;
        for (int k = 1; k <= ended.size(); k++) {
            MlflowOutbox.Trial t = ended.get(k - 1);
            long at = t.endedAt().toEpochMilli();
            counts.merge(t.state(), 1, Integer::sum);
            Double validation = t.epochRows().isEmpty() ? null : t.epochRows().get(t.epochRows().size() - 1).validationAccuracy();
            // Ranked as the leaderboard ranks them: completed and diverged trials.
            if (validation != null && TrialState.RANKED.contains(TrialState.of(t.state()))
                    && (Double.isNaN(best) || validation > best)) {
                best = validation;
            }
            if (!Double.isNaN(best)) {
                metrics.computeIfAbsent("best_validation_accuracy", x -> new ArrayList<>()).add(new Point(k, best, at));
            }
            for (Map.Entry<String, Integer> c : counts.entrySet()) {
                metrics.computeIfAbsent("trials/" + c.getKey(), x -> new ArrayList<>()).add(new Point(k, c.getValue(), at));
            }
        }

        List<Artifact> files = new ArrayList<>();
        if (s.content() != null && !s.content().isBlank()) {
            String name = s.file() == null ? "sweep.yaml" : MlflowLimits.key(Path.of(s.file()).getFileName().toString());
            files.add(file(name, s.content().getBytes(StandardCharsets.UTF_8), "application/yaml"));
        }
        return new RunSpec("sweep", s.id(), s.name(), MlflowLimits.key(s.name()), start, end, status, tags, params, metrics, files,
                List.of());
    }

    private Artifact file(String path, byte[] content, String type) {
        return new Artifact(path, IdxReader.sha256(content), (long) content.length, root -> upload(root, path, content, type));
    }

    private int upload(String root, String path, byte[] content, String type) throws IOException {
        artifacts.upload(root, path, content, type);
        return 1;
    }

    private static String sha256(String text) {
        return IdxReader.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String layerTable(MlflowOutbox.Trial t) {
        StringWriter table = new StringWriter();
        try (PrintWriter out = new PrintWriter(table)) {
            NetworkPlan plan = NetworkPlan.of(TrialConfig.modelOf(t.config(), t.variant(), t.dropout()), t.resize());
            LayerTable.print(out, new CostReport(plan), t.batchSize(), t.momentum() > 0 ? 1 : 0,
                    ComputePrecision.recorded(t.computePrecision()));
        }
        return table.toString();
    }

    static RunStatus status(String state) {
        return switch (TrialState.of(state)) {
            case COMPLETED -> RunStatus.FINISHED;
            // Stopped on purpose, by the stall rule or the pruning rule, or killed: MLflow's "killed", with nin.state saying which.
            case INTERRUPTED, STALLED, PRUNED -> RunStatus.KILLED;
            case DIVERGED, FAILED -> RunStatus.FAILED;
            // Queued to run again (--retry-failed).
            case PENDING -> RunStatus.SCHEDULED;
            case RUNNING -> RunStatus.RUNNING;
        };
    }

    /** Human-readable: variant, learning rate, seed. */
    static String runName(MlflowOutbox.Trial t) {
        return t.variant() + " lr=" + t.learningRate() + " seed=" + t.seed() + " #" + t.id();
    }

    /** Every knob's param (from the hyperparameter registry), the device, the config's identity and the versions. */
    static Map<String, String> params(MlflowOutbox.Trial t) {
        Map<String, String> p = new LinkedHashMap<>();
        TrialConfig.mlflowParams(t.config()).forEach((key, value) -> put(p, key, value));
        put(p, "device", t.device());
        // What the graph computed in on that device; the precision param is what was asked (auto, say).
        put(p, "precision_used", ComputePrecision.recordedKey(t.computePrecision()));
        put(p, "config_hash", t.configHash());
        put(p, "configuration", t.configuration());
        put(p, "nin_version", t.ninVersion());
        put(p, "djl_version", t.djlVersion());
        put(p, "tensorflow_version", t.tensorflowVersion());
        put(p, "java_version", t.javaVersion());
        put(p, "nin_trial_id", t.id());
        return p;
    }

    private static void put(Map<String, String> p, String key, Object value) {
        putSplit(p, key, String.valueOf(value), MlflowLimits.MAX_PARAM_VALUE);
    }

    private static void putSplit(Map<String, String> out, String key, String value, int max) {
        out.putAll(split(key, value, max));
    }

    private static Map<String, String> split(String key, String value, int max) {
        Map<String, String> out = new LinkedHashMap<>();
        for (MlflowLimits.Entry e : MlflowLimits.split(key, value, max)) {
            out.put(e.key(), e.value());
        }
        return out;
    }

    /** Tags nin owns on its runs: others' (MLflow's own, a user's) are left alone. */
    private static boolean managed(String tag) {
        return tag.startsWith("nin.") || tag.equals("mlflow.parentRunId") || tag.equals("mlflow.note.content");
    }

    // ---------------------------------------------------------------- comparing and sending

    /**
     * Brings the linked run to {@code want}: patched when MLflow can change what differs, replaced
     * (deleted and created again) when it cannot, created when there is none.
     */
    private Sent reconcile(RunSpec want, MlflowOutbox.Candidate candidate) throws IOException, SQLException {
        String experimentId = experiment(want.experiment());
        Optional<MlflowOutbox.Link> link = outbox.link(uri, want.kind(), want.localId());
        Run run = link.map(l -> activeRun(l.runId())).orElse(null);
        // Compared point by point unless the linked run was found equal to the store as it still is
        // (./nin sync reading everything back): then the latest value of each metric is enough to tell.
        boolean deep = run == null || candidate.changed();
        if (run == null) {
            run = findByTags(experimentId, want.kind(), want.localId());
        }
        Map<String, List<Metric>> histories = new HashMap<>();
        boolean replaced = false;
        if (run != null) {
            String why = cannotPatch(run, want, experimentId, deep, histories);
            if (why != null) {
                deleteRun(run.getInfo().getRunId());
                run = null;
                histories.clear();
                replaced = true;
            }
        }
        boolean created = false;
        if (run == null) {
            run = create(want, experimentId);
            created = true;
        }
        String runId = run.getInfo().getRunId();
        Map<String, String> uploaded = new TreeMap<>();
        if (link.isPresent() && link.get().runId().equals(runId)) {
            uploaded.putAll(link.get().artifacts());
        }
        outbox.relink(uri, want.kind(), want.localId(), experimentId, runId);

        int changes = 0;
        // Params: what is missing (a differing one made the run replaced above).
        Map<String, String> haveParams = new HashMap<>();
        run.getData().getParamsList().forEach(p -> haveParams.put(p.getKey(), p.getValue()));
        List<MlflowLimits.Entry> params = new ArrayList<>();
        want.params().forEach((k, v) -> {
            if (!haveParams.containsKey(k)) {
                params.add(new MlflowLimits.Entry(k, v));
            }
        });
        // Metrics: the points the history lacks (one it should not have made the run replaced above).
        Map<String, Metric> latest = new HashMap<>();
        run.getData().getMetricsList().forEach(m -> latest.put(m.getKey(), m));
        List<Metric> metrics = new ArrayList<>();
        for (Map.Entry<String, List<Point>> e : want.metrics().entrySet()) {
            if (histories.containsKey(e.getKey()) && histories.get(e.getKey()) == null) {
                continue; // complete, see cannotPatch
            }
            List<Metric> have = histories.containsKey(e.getKey()) ? histories.get(e.getKey())
                    : latest.containsKey(e.getKey()) ? history(runId, e.getKey()) : List.of();
            for (Point p : e.getValue()) {
                if (have.stream().noneMatch(p::same)) {
                    metrics.add(Metric.newBuilder().setKey(e.getKey()).setValue(p.value()).setTimestamp(p.timestamp())
                            .setStep(p.step()).build());
                }
            }
        }
        // Tags: set what differs, remove nin's tags the store no longer says (a stale error, a resumed trial's stop).
        Map<String, String> haveTags = new HashMap<>();
        run.getData().getTagsList().forEach(t -> haveTags.put(t.getKey(), t.getValue()));
        List<MlflowLimits.Entry> tags = new ArrayList<>();
        want.tags().forEach((k, v) -> {
            if (!v.equals(haveTags.get(k))) {
                tags.add(new MlflowLimits.Entry(k, v));
            }
        });
        sendBatches(runId, metrics, params, tags);
        changes += params.size() + tags.size();
        for (String key : haveTags.keySet()) {
            if (managed(key) && !want.tags().containsKey(key)) {
                client.deleteTag(runId, key);
                changes++;
            }
        }
        // Status and end.
        RunInfo info = run.getInfo();
        long haveEnd = info.hasEndTime() ? info.getEndTime() : 0;
        if (want.end() != null && (haveEnd != want.end() || info.getStatus() != want.status())) {
            client.setTerminated(runId, want.status(), want.end());
            changes++;
        } else if (want.end() == null && info.getStatus() != want.status()) {
            client.sendPost("runs/update", "{\"run_id\": \"" + runId + "\", \"status\": \"" + want.status().name() + "\"}");
            changes++;
        }
        // Artifacts: what changed since uploaded, or what the server lacks.
        int files = 0;
        Map<String, Long> listed = created ? Map.of() : listArtifacts(runId);
        try {
            for (Artifact a : want.artifacts()) {
                String name = a.folder() ? a.path().substring(0, a.path().length() - 1) : a.path();
                Long size = listed.get(name);
                boolean present = size != null && (a.folder() ? size < 0 : a.size() == null || a.size().equals(size));
                if (!present || !a.hash().equals(uploaded.get(a.path()))) {
                    files += a.upload().to(info.getArtifactUri());
                    uploaded.put(a.path(), a.hash());
                }
            }
            for (LoggedModels.Spec m : want.models()) {
                // What the server lists is the record: a READY model of this SavedModel is not logged again.
                LoggedModels.Found found = created ? LoggedModels.Found.NONE : loggedModels.find(experimentId, runId, m.sha256());
                // Left by a sync killed or failed mid-upload: it would sit beside the good one.
                for (String unfinished : found.unfinished()) {
                    loggedModels.delete(unfinished);
                    changes++;
                }
                if (found.unlinked().isPresent()) {
                    loggedModels.link(runId, found.unlinked().get(), m.step());
                    changes++;
                } else if (!found.ready()) {
                    files += loggedModels.log(experimentId, runId, m);
                }
            }
        } finally {
            outbox.uploaded(uri, want.kind(), want.localId(), runId, uploaded);
        }
        outbox.synced(uri, want.kind(), want.localId(), runId, candidate.token());
        boolean updated = !created && (changes > 0 || !metrics.isEmpty() || files > 0);
        return new Sent(created && !replaced ? 1 : 0, replaced ? 1 : 0, updated ? 1 : 0, metrics.size(), files);
    }

    /**
     * Why {@code run} cannot be brought to {@code want} in place, or null when it can (then
     * {@code histories} holds each metric history read, or null for one taken as complete): MLflow
     * cannot move a run, change its start, take back an end time, change a logged param, or remove a
     * metric or a point of a metric's history.
     */
    private String cannotPatch(Run run, RunSpec want, String experimentId, boolean deep, Map<String, List<Metric>> histories) {
        RunInfo info = run.getInfo();
        if (!info.getExperimentId().equals(experimentId)) {
            return "it is in another experiment";
        }
        if (info.getStartTime() != want.start()) {
            return "its start time is " + info.getStartTime() + ", not " + want.start();
        }
        if (want.end() == null && info.hasEndTime() && info.getEndTime() != 0) {
            return "it has an end time and the trial runs again";
        }
        for (Param p : run.getData().getParamsList()) {
            if (!p.getValue().equals(want.params().get(p.getKey()))) {
                return "its param " + p.getKey() + " differs";
            }
        }
        for (Metric latest : run.getData().getMetricsList()) {
            List<Point> points = want.metrics().get(latest.getKey());
            if (points == null) {
                return "it has a metric " + latest.getKey() + " the store does not";
            }
            Point last = points.stream().max(Point.LATEST).orElseThrow();
            if (!deep && last.same(latest)) {
                // Nothing changed in the store since this run was found equal, and its latest point is the
                // store's: taken as complete without reading its history.
                histories.put(latest.getKey(), null);
                continue;
            }
            List<Metric> history = history(info.getRunId(), latest.getKey());
            histories.put(latest.getKey(), history);
            List<Point> unmatched = new ArrayList<>(points);
            for (Metric m : history) {
                // Each point once: a second copy, or a point of a forgotten epoch, cannot be removed.
                int at = indexOf(unmatched, m);
                if (at < 0) {
                    return "its metric " + latest.getKey() + " has a point at step " + m.getStep() + " the store does not";
                }
                unmatched.remove(at);
            }
        }
        return null;
    }

    private static int indexOf(List<Point> points, Metric m) {
        for (int i = 0; i < points.size(); i++) {
            if (points.get(i).same(m)) {
                return i;
            }
        }
        return -1;
    }

    private List<Metric> history(String runId, String key) {
        return client.getMetricHistory(runId, key);
    }

    private Run create(RunSpec want, String experimentId) throws IOException {
        List<RunTag> tags = new ArrayList<>();
        want.tags().forEach((k, v) -> tags.add(tag(k, v)));
        tags.add(tag("mlflow.user", System.getProperty("user.name", "nin")));
        tags.add(tag("mlflow.source.type", "LOCAL"));
        // At most 100 tags per request: the rest go with the patch that follows.
        List<RunTag> first = tags.subList(0, Math.min(tags.size(), MlflowLimits.TAGS_PER_BATCH));
        RunInfo info = client.createRun(CreateRun.newBuilder().setExperimentId(experimentId).setRunName(want.name())
                .setStartTime(want.start()).addAllTags(first).build());
        return client.getRun(info.getRunId());
    }

    /** The run, unless it is gone or deleted. */
    private Run activeRun(String runId) {
        try {
            Run run = client.getRun(runId);
            return "deleted".equals(run.getInfo().getLifecycleStage()) ? null : run;
        } catch (MlflowHttpException e) {
            if (e.getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private void deleteRun(String runId) {
        try {
            client.deleteRun(runId);
        } catch (MlflowHttpException e) {
            if (e.getStatusCode() != 404) {
                throw e;
            }
        }
    }

    /**
     * A run of this store's sweep or trial that the link does not name: created just before a crash,
     * or linked in another store table. Copies beyond the first are deleted.
     */
    private Run findByTags(String experimentId, String kind, long localId) throws IOException {
        List<RunInfo> found = client.searchRuns(List.of(experimentId), "tags.`nin.store` = '" + storeId()
                + "' and tags.`nin.kind` = '" + kind + "' and tags.`nin.local_id` = '" + localId + "'");
        if (found.isEmpty()) {
            return null;
        }
        for (RunInfo extra : found.subList(1, found.size())) {
            deleteRun(extra.getRunId());
        }
        return client.getRun(found.get(0).getRunId());
    }

    /** Files and folders at the run's artifact root: name to size (-1 for a folder). */
    private Map<String, Long> listArtifacts(String runId) throws IOException {
        String body = client.sendGet("artifacts/list?run_id=" + URLEncoder.encode(runId, StandardCharsets.UTF_8));
        Map<String, Long> out = new HashMap<>();
        JsonNode files = JSON.readTree(body).path("files");
        for (JsonNode f : files) {
            out.put(f.path("path").asText(), f.path("is_dir").asBoolean() ? -1L : f.path("file_size").asLong());
        }
        return out;
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
        List<RunTag> t = tags.stream().map(e -> tag(e.key(), e.value())).toList();
        for (List<RunTag> chunk : MlflowLimits.chunks(t, MlflowLimits.TAGS_PER_BATCH)) {
            client.logBatch(runId, List.of(), List.of(), chunk);
        }
    }

    private String experiment(String name) {
        String key = MlflowLimits.key(name);
        return experiments.computeIfAbsent(key, k -> client.getExperimentByName(k).map(e -> e.getExperimentId()).orElseGet(() -> {
            try {
                return client.createExperiment(k);
            } catch (RuntimeException e) {
                // Another process created it in between.
                return client.getExperimentByName(k).orElseThrow(() -> e).getExperimentId();
            }
        }));
    }

    private static RunTag tag(String key, String value) {
        return RunTag.newBuilder().setKey(key).setValue(value).build();
    }

    private String storeId() throws IOException {
        if (storeId == null) {
            try {
                storeId = outbox.storeId();
            } catch (SQLException e) {
                throw new IOException("reading the store: " + e.getMessage(), e);
            }
        }
        return storeId;
    }
}
