package dev.nin.track;

import dev.nin.io.PausePoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * A trial's exported SavedModel as an MLflow Model, logged through MLflow 3's logged-model REST API
 * (the Java client in the pom predates it), the steps {@code mlflow.<flavor>.log_model} takes:
 * create the logged model (source run, name, tags), upload its files through the artifact proxy to
 * the model's own artifact location, mark it READY (UPLOAD_FAILED when an upload fails), and link it
 * as the run's output; log_model links before uploading, nin only a READY model.
 *
 * <p>The files: {@code MLmodel} with the {@code tensorflow} flavour in its SavedModel form
 * ({@code saved_model_dir: tfmodel}, {@code meta_graph_tags: [serve]}, {@code signature_def_key:
 * serving_default}, {@code model_type: tf1-estimator}: MLflow loads it with
 * {@code tf.saved_model.load(dir, tags)} and calls that signature; the {@code tf2-module} form calls
 * the loaded object itself, which a TF Java export is not) and a {@code python_function} flavour for
 * {@code mlflow models serve}; the signature names nin's inputs and outputs (uint8 images [N, 28,
 * 28], float32 logits and probabilities [N, 10]); {@code tfmodel/} is the SavedModel;
 * {@code requirements.txt}, {@code python_env.yaml} and {@code conda.yaml} pin MLflow and TensorFlow
 * for serving (which needs TensorFlow for Python).
 */
final class LoggedModels {

    /** The logged model's tag holding the SavedModel's SHA-256: an equal READY model is not logged again. */
    static final String SHA_TAG = "nin.model_sha256";

    /** Where the SavedModel sits inside the MLflow Model. */
    static final String SAVED_MODEL_DIR = "tfmodel";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /**
     * What to log for one trial.
     *
     * @param name the logged model's name, e.g. {@code nin-bn-trial-17}
     * @param folder the exported SavedModel
     * @param step the trial's epochs: the run's step the model was logged at
     * @param tensorflowVersion the TensorFlow that trained it, pinned for serving; null when unknown
     * @param tags nin's identity tags (store, kind, local id), copied onto the model
     * @param classes the outputs' width
     */
    record Spec(String name, Path folder, String sha256, int step, String tensorflowVersion, Map<String, String> tags,
            int classes) {}

    private final URI api;
    private final ArtifactUploader artifacts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    LoggedModels(String trackingUri, ArtifactUploader artifacts) {
        this.api = URI.create(trackingUri.replaceAll("/+$", "") + "/");
        this.artifacts = artifacts;
    }

    /**
     * A run's logged models as MLflow lists them (deleted ones left out).
     *
     * @param ready whether one of them is READY, tagged with this SavedModel's SHA-256 and the run's output
     * @param unlinked a READY model of this SavedModel that is not the run's output (a sync killed
     *     between marking it READY and linking it), when none is; {@link #link} finishes its logging
     * @param unfinished the ids of those never marked READY: an upload killed midway (PENDING) or
     *     failed (UPLOAD_FAILED), which MLflow would otherwise list beside the good one
     */
    record Found(boolean ready, Optional<String> unlinked, List<String> unfinished) {
        /** A run just created has no logged model. */
        static final Found NONE = new Found(false, Optional.empty(), List.of());
    }

    /** What {@code runId} already has, for the SavedModel of {@code sha256}. */
    Found find(String experimentId, String runId, String sha256) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("experiment_ids").add(experimentId);
        body.put("filter", "source_run_id = '" + runId + "'");
        body.put("max_results", 50);
        List<String> same = new ArrayList<>();
        List<String> unfinished = new ArrayList<>();
        for (JsonNode model : send("POST", "api/2.0/mlflow/logged-models/search", body).path("models")) {
            boolean tagged = false;
            for (JsonNode tag : model.path("info").path("tags")) {
                tagged |= SHA_TAG.equals(tag.path("key").asText()) && sha256.equals(tag.path("value").asText());
            }
            String id = model.path("info").path("model_id").asText();
            if (!"LOGGED_MODEL_READY".equals(model.path("info").path("status").asText())) {
                unfinished.add(id);
            } else if (tagged) {
                same.add(id);
            }
        }
        if (same.isEmpty()) {
            return new Found(false, Optional.empty(), unfinished);
        }
        java.util.Set<String> outputs = new java.util.HashSet<>();
        JsonNode run = send("GET", "api/2.0/mlflow/runs/get?run_id=" + java.net.URLEncoder.encode(runId,
                java.nio.charset.StandardCharsets.UTF_8), null);
        run.path("run").path("outputs").path("model_outputs").forEach(o -> outputs.add(o.path("model_id").asText()));
        boolean linked = same.stream().anyMatch(outputs::contains);
        return new Found(linked, linked ? Optional.empty() : Optional.of(same.get(0)), unfinished);
    }

    /** Makes logged model {@code modelId} the output of {@code runId} at {@code step}, as {@code log_model} does. */
    void link(String runId, String modelId, int step) throws IOException {
        ObjectNode output = JSON.createObjectNode();
        output.put("run_id", runId);
        output.putArray("models").addObject().put("model_id", modelId).put("step", step);
        send("POST", "api/2.0/mlflow/runs/outputs", output);
    }

    /**
     * Deletes a logged model (MLflow marks it deleted; its files stay until {@code mlflow gc}). Only
     * unfinished ones are deleted, under the store's per-tracking-server MLflow lock
     * ({@code MlflowOutbox.lock}), so no other sync is uploading them.
     */
    void delete(String modelId) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("model_id", modelId);
        send("DELETE", "api/2.0/mlflow/logged-models/" + modelId, body);
    }

    /** Logs the model for {@code runId}; returns the number of files uploaded. */
    int log(String experimentId, String runId, Spec spec) throws IOException {
        ObjectNode create = JSON.createObjectNode();
        create.put("experiment_id", experimentId);
        create.put("name", spec.name());
        create.put("model_type", "tensorflow");
        create.put("source_run_id", runId);
        ArrayNode tags = create.putArray("tags");
        spec.tags().forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
        tags.addObject().put("key", SHA_TAG).put("value", spec.sha256());
        JsonNode info = send("POST", "api/2.0/mlflow/logged-models", create).path("model").path("info");
        String modelId = info.path("model_id").asText();
        String location = info.path("artifact_uri").asText();

        int files = 0;
        String status = "LOGGED_MODEL_UPLOAD_FAILED";
        try {
            String mlflowVersion = serverVersion();
            files += put(location, "MLmodel", mlmodel(location, modelId, runId, mlflowVersion, Instant.now(), spec.classes()));
            files += put(location, "requirements.txt", requirements(mlflowVersion, spec.tensorflowVersion()));
            files += put(location, "python_env.yaml", pythonEnv());
            files += put(location, "conda.yaml", condaEnv(requirements(mlflowVersion, spec.tensorflowVersion())));
            try (var walk = Files.walk(spec.folder())) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    String path = SAVED_MODEL_DIR + "/" + spec.folder().relativize(file).toString().replace('\\', '/');
                    artifacts.upload(location, path, Files.readAllBytes(file), "application/octet-stream");
                    files++;
                }
            }
            status = "LOGGED_MODEL_READY";
        } finally {
            ObjectNode finalize = JSON.createObjectNode();
            finalize.put("model_id", modelId); // required in the body too, not only in the path
            finalize.put("status", status);
            send("PATCH", "api/2.0/mlflow/logged-models/" + modelId, finalize);
        }
        // The run's output once READY (mlflow.<flavor>.log_model links it first): a sync killed
        // mid-upload leaves an unlinked model, which the next sync deletes, and no output naming it;
        // one killed here leaves a READY model, which the next sync links (find's unlinked).
        PausePoint.MODEL_READY.reach(1);
        link(runId, modelId, spec.step());
        return files;
    }

    /**
     * The {@code MLmodel} file: YAML as MLflow 3.17 writes it. Signature tensors are named by the
     * SavedModel's signature keys: the {@code tf1-estimator} predictor takes its inputs by name.
     *
     * @param artifactPath the logged model's artifact location (MLflow 3 writes it here)
     * @param mlflowVersion the tracking server's MLflow version; null leaves the key out
     */
    static String mlmodel(String artifactPath, String modelId, String runId, String mlflowVersion, Instant created, int classes) {
        String inputs = "[{\"name\": \"images\", \"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"uint8\", \"shape\": [-1, 28, 28]}}]";
        String outputs = "[{\"name\": \"logits\", \"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, %1$d]}},"
                + " {\"name\": \"probabilities\", \"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", \"shape\": [-1, %1$d]}}]";
        StringBuilder y = new StringBuilder();
        y.append("artifact_path: ").append(artifactPath).append('\n');
        y.append("""
                flavors:
                  python_function:
                    env:
                      conda: conda.yaml
                      virtualenv: python_env.yaml
                    loader_module: mlflow.tensorflow
                    python_version: '3.11'
                  tensorflow:
                    code: null
                    meta_graph_tags:
                    - serve
                    model_type: tf1-estimator
                    saved_model_dir: %s
                    signature_def_key: %s
                is_signature_from_type_hint: false
                """.formatted(SAVED_MODEL_DIR, dev.nin.train.SavedModels.SIGNATURE));
        if (mlflowVersion != null) {
            y.append("mlflow_version: ").append(mlflowVersion).append('\n');
        }
        y.append("model_id: ").append(modelId).append('\n');
        y.append("model_uuid: ").append(modelId).append('\n');
        y.append("run_id: ").append(runId).append('\n');
        y.append("signature:\n");
        y.append("  inputs: '").append(inputs).append("'\n");
        y.append("  outputs: '").append(outputs.formatted(classes)).append("'\n");
        y.append("  params: null\n");
        y.append("type_hint_from_example: false\n");
        y.append("utc_time_created: '").append(CREATED.format(created)).append("'\n");
        return y.toString();
    }

    static String requirements(String mlflowVersion, String tensorflowVersion) {
        StringBuilder r = new StringBuilder(mlflowVersion == null ? "mlflow\n" : "mlflow==" + mlflowVersion + "\n");
        r.append(tensorflowVersion == null || tensorflowVersion.isBlank() ? "tensorflow\n" : "tensorflow==" + tensorflowVersion + "\n");
        return r.toString();
    }

    private static String pythonEnv() {
        return """
                python: '3.11'
                build_dependencies:
                - pip
                - setuptools
                - wheel
                dependencies:
                - -r requirements.txt
                """;
    }

    private static String condaEnv(String requirements) {
        StringBuilder c = new StringBuilder("channels:\n- conda-forge\ndependencies:\n- python=3.11\n- pip\n- pip:\n");
        requirements.lines().forEach(r -> c.append("  - ").append(r).append('\n'));
        return c.append("name: mlflow-env\n").toString();
    }

    /** The server's MLflow version ({@code GET /version}), or null when it does not say. */
    private String serverVersion() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve("version")).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String v = r.body().strip();
            return r.statusCode() == 200 && v.matches("[0-9][0-9A-Za-z.+-]*") ? v : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private int put(String location, String path, String text) throws IOException {
        artifacts.upload(location, path, text.getBytes(StandardCharsets.UTF_8), "text/plain");
        return 1;
    }

    private JsonNode send(String method, String path, JsonNode body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException(method + " " + request.uri() + " answered HTTP " + response.statusCode() + ": "
                        + (response.body().length() > 500 ? response.body().substring(0, 500) + "..." : response.body()));
            }
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(method + " " + request.uri() + " interrupted", e);
        }
    }
}
