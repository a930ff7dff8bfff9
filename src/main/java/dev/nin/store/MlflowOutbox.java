package dev.nin.store;

import dev.nin.store.query.TrialEpochs;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the store says MLflow should show, for {@code track/}: each trial and sweep as records, which
 * of them changed since their run was last checked (a fingerprint of everything a run shows,
 * computed in SQL), and the links from a tracking server's runs to the store ({@code mlflow_links}).
 * Every statement about MLflow's side of the store is here.
 */
public final class MlflowOutbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The resource figures of {@code resource_profiles}, in the order they are shown. */
    public static final List<String> RESOURCE_COLUMNS = List.of("parameters", "multiply_adds", "forward_flops",
            "training_step_flops", "training_memory_bytes_estimated", "prediction_memory_bytes_estimated",
            "training_memory_bytes_measured", "prediction_memory_bytes_measured", "training_memory_bytes_estimated_batch1",
            "prediction_memory_bytes_estimated_batch1", "training_memory_bytes_measured_batch1",
            "prediction_memory_bytes_measured_batch1");

    /** States in which a trial has ended (for now: a retry or a resume may run it again), as the database words. */
    public static final List<String> ENDED = java.util.Arrays.stream(TrialState.values()).filter(TrialState::ended)
            .map(s -> s.value).toList();

    /**
     * A fingerprint per trial of everything its run shows, and of the trial's sweep (its parent's
     * run id is added per trial below). Heartbeats and leases are left out: they change every 30 s.
     */
    private static final String TRIAL_TOKENS = """
            SELECT t.id, t.sweep_id, t.started_at IS NOT NULL AND t.device IS NOT NULL AS shown,
                   md5(concat_ws('|', t.state, extract(epoch FROM t.started_at), extract(epoch FROM t.ended_at), t.error,
                       t.diverged_at, t.stopped_at, t.sampler_phase, t.device, t.compute_precision, t.config::text, t.config_hash, t.configuration,
                       row(t.variant, t.seed, t.learning_rate, t.epochs, t.batch_size, t.resize, t.momentum, t.nesterov,
                           t.weight_decay, t.dropout, t.train_limit, t.validation_size, t.test_limit)::text,
                       t.git_commit, t.nin_version, t.djl_version, t.tensorflow_version, t.java_version,
                       (SELECT string_agg(concat_ws(',', e.epoch, e.train_loss, e.train_accuracy, e.validation_accuracy,
                                   e.test_accuracy, e.images_per_second, extract(epoch FROM e.recorded_at)), ';' ORDER BY e.epoch)
                        FROM epoch_metrics e WHERE e.trial_id = t.id),
                       (SELECT r::text FROM resource_profiles r WHERE r.trial_id = t.id),
                       (SELECT string_agg(a.path || '=' || a.sha256, ';' ORDER BY a.id)
                        FROM artifacts a WHERE a.trial_id = t.id AND a.kind = 'saved_model'))) AS token
            FROM trials t
            WHERE ?::bigint IS NULL OR t.sweep_id = ?""";

    private final Store store;

    public MlflowOutbox(Store store) {
        this.store = store;
    }

    /** A trial as its run shows it. {@code startedAt} is its first start; times are null when unknown. */
    public record Trial(long id, Long sweepId, String sweepName, String state, String variant, long seed, double learningRate,
            int epochs, int batchSize, int resize, double momentum, boolean nesterov, double weightDecay, double dropout,
            int trainLimit, int validationSize, int testLimit, String config, String configHash, String configuration,
            String device, String computePrecision, String gitCommit, String ninVersion, String djlVersion, String tensorflowVersion,
            String javaVersion, String error, String divergedAt, String stoppedAt, String samplerPhase, Instant startedAt,
            Instant endedAt, Map<String, Long> resources, List<SavedModel> savedModels, List<TrialEpochs.Epoch> epochRows) {

        public boolean ended() {
            return TrialState.of(state).ended();
        }
    }

    /** A SavedModel exported for a trial: its folder (on the machine that exported it) and digest. */
    public record SavedModel(String path, String sha256) {}

    /** A sweep as its parent run shows it: its stored file and every one of its trials, with their epochs. */
    public record Sweep(long id, String name, String description, String file, String content, String metric,
            List<Trial> trials) {}

    /** A run to check: the store's fingerprint of it now and when it was last found equal (null: never). */
    public record Candidate(long localId, String token, String syncedToken) {

        public boolean changed() {
            return !token.equals(syncedToken);
        }
    }

    /** Which run shows a sweep or trial on one tracking server, and what was uploaded to it. */
    public record Link(String experimentId, String runId, String syncedToken, Map<String, String> artifacts) {}

    /** Sweeps with at least one started trial (only they have a parent run), of one sweep or all. */
    public List<Candidate> sweeps(String uri, String version, Optional<Long> sweepId) throws SQLException {
        String sql = "WITH b AS (" + TRIAL_TOKENS + ")"
                + " SELECT s.id, md5(concat_ws('|', ?, s.name, s.description, s.file, s.content, s.metric,"
                + "   string_agg(b.id || ':' || b.token, ';' ORDER BY b.id))), l.synced_token"
                + " FROM sweeps s JOIN b ON b.sweep_id = s.id"
                + " LEFT JOIN mlflow_links l ON l.tracking_uri = ? AND l.kind = 'sweep' AND l.local_id = s.id"
                + " GROUP BY s.id, l.synced_token HAVING bool_or(b.shown) ORDER BY s.id";
        try (Connection c = store.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, sweepId.orElse(null));
            s.setObject(2, sweepId.orElse(null));
            s.setString(3, version);
            s.setString(4, uri);
            return candidates(s);
        }
    }

    /** Trials that have started and been set up by their worker (only they have a run), of one sweep or all. */
    public List<Candidate> trials(String uri, String version, Optional<Long> sweepId) throws SQLException {
        String sql = "WITH b AS (" + TRIAL_TOKENS + ")"
                + " SELECT b.id, md5(concat_ws('|', ?, b.token, p.run_id)), l.synced_token FROM b"
                + " LEFT JOIN mlflow_links l ON l.tracking_uri = ? AND l.kind = 'trial' AND l.local_id = b.id"
                + " LEFT JOIN mlflow_links p ON p.tracking_uri = ? AND p.kind = 'sweep' AND p.local_id = b.sweep_id"
                + " WHERE b.shown ORDER BY b.id";
        try (Connection c = store.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, sweepId.orElse(null));
            s.setObject(2, sweepId.orElse(null));
            s.setString(3, version);
            s.setString(4, uri);
            s.setString(5, uri);
            return candidates(s);
        }
    }

    private static List<Candidate> candidates(PreparedStatement s) throws SQLException {
        List<Candidate> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(new Candidate(r.getLong(1), r.getString(2), r.getString(3)));
            }
        }
        return out;
    }

    public Optional<Trial> trial(long id) throws SQLException {
        try (Connection c = store.connection()) {
            List<Trial> found = trials(c, "t.id = ?", id);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    public Optional<Sweep> sweep(long id) throws SQLException {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT name, description, file, content, metric FROM sweeps WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Sweep(id, r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                        trials(c, "t.sweep_id = ?", id)));
            }
        }
    }

    private static List<Trial> trials(Connection c, String where, long value) throws SQLException {
        List<Trial> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT t.*, w.name AS sweep_name FROM trials t"
                + " LEFT JOIN sweeps w ON w.id = t.sweep_id WHERE " + where + " ORDER BY t.id")) {
            s.setLong(1, value);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    long id = r.getLong("id");
                    out.add(new Trial(id, (Long) r.getObject("sweep_id"), r.getString("sweep_name"), r.getString("state"),
                            r.getString("variant"), r.getLong("seed"), r.getDouble("learning_rate"), r.getInt("epochs"),
                            r.getInt("batch_size"), r.getInt("resize"), r.getDouble("momentum"), r.getBoolean("nesterov"),
                            r.getDouble("weight_decay"), r.getDouble("dropout"), r.getInt("train_limit"),
                            r.getInt("validation_size"), r.getInt("test_limit"), r.getString("config"), r.getString("config_hash"),
                            r.getString("configuration"), r.getString("device"), r.getString("compute_precision"),
                            r.getString("git_commit"),
                            r.getString("nin_version"), r.getString("djl_version"), r.getString("tensorflow_version"),
                            r.getString("java_version"), r.getString("error"), r.getString("diverged_at"),
                            r.getString("stopped_at"), r.getString("sampler_phase"), instant(r.getTimestamp("started_at")),
                            instant(r.getTimestamp("ended_at")),
                            resources(c, id), savedModels(c, id), TrialEpochs.load(c, id)));
                }
            }
        }
        return out;
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    private static Map<String, Long> resources(Connection c, long trialId) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + String.join(", ", RESOURCE_COLUMNS)
                + " FROM resource_profiles WHERE trial_id = ?")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    ResultSetMetaData meta = r.getMetaData();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        long v = r.getLong(i);
                        if (!r.wasNull()) {
                            out.put(meta.getColumnLabel(i), v);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<SavedModel> savedModels(Connection c, long trialId) throws SQLException {
        List<SavedModel> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT path, sha256 FROM artifacts WHERE trial_id = ? AND kind = ?"
                + " ORDER BY id")) {
            s.setLong(1, trialId);
            s.setString(2, ArtifactEntity.SAVED_MODEL);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new SavedModel(r.getString(1), r.getString(2)));
                }
            }
        }
        return out;
    }

    public Optional<Link> link(String uri, String kind, long localId) throws SQLException {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("SELECT experiment_id, run_id, synced_token, artifacts::text"
                        + " FROM mlflow_links WHERE tracking_uri = ? AND kind = ? AND local_id = ?")) {
            s.setString(1, uri);
            s.setString(2, kind);
            s.setLong(3, localId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Link(r.getString(1), r.getString(2), r.getString(3), artifacts(r.getString(4))));
            }
        }
    }

    /**
     * Points the link at {@code runId}. A run other than the linked one starts unchecked and with no
     * artifacts known.
     */
    public void relink(String uri, String kind, long localId, String experimentId, String runId) throws SQLException {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        INSERT INTO mlflow_links (tracking_uri, kind, local_id, experiment_id, run_id) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (tracking_uri, kind, local_id) DO UPDATE
                        SET experiment_id = excluded.experiment_id, run_id = excluded.run_id,
                            synced_token = CASE WHEN mlflow_links.run_id = excluded.run_id THEN mlflow_links.synced_token END,
                            artifacts = CASE WHEN mlflow_links.run_id = excluded.run_id THEN mlflow_links.artifacts
                                             ELSE '{}'::jsonb END,
                            updated_at = now()""")) {
            s.setString(1, uri);
            s.setString(2, kind);
            s.setLong(3, localId);
            s.setString(4, experimentId);
            s.setString(5, runId);
            s.executeUpdate();
        }
    }

    /** What was uploaded to the linked run {@code runId} so far (kept even when the check fails half-way). */
    public void uploaded(String uri, String kind, long localId, String runId, Map<String, String> artifacts) throws SQLException {
        update(uri, kind, localId, runId, "artifacts = ?::jsonb", json(artifacts));
    }

    /** The run {@code runId} was found (or made) equal to what the store showed with fingerprint {@code token}. */
    public void synced(String uri, String kind, long localId, String runId, String token) throws SQLException {
        update(uri, kind, localId, runId, "synced_token = ?", token);
    }

    private void update(String uri, String kind, long localId, String runId, String assignment, String value) throws SQLException {
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("UPDATE mlflow_links SET " + assignment + ", updated_at = now()"
                        + " WHERE tracking_uri = ? AND kind = ? AND local_id = ? AND run_id = ?")) {
            s.setString(1, value);
            s.setString(2, uri);
            s.setString(3, kind);
            s.setLong(4, localId);
            s.setString(5, runId);
            s.executeUpdate();
        }
    }

    /** The id tagged on every run of this store as {@code nin.store}. */
    public String storeId() throws SQLException {
        try (Connection c = store.connection(); var s = c.createStatement(); var r = s.executeQuery("SELECT id FROM store_identity")) {
            r.next();
            return r.getString(1);
        }
    }

    /**
     * Holds a lock on the tracking server {@code uri} across processes and machines sharing this
     * store until closed, so two syncs to one server never create one run twice.
     */
    public AutoCloseable lock(String uri) throws SQLException {
        Connection c = store.connection();
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
            s.setString(1, "nin-mlflow:" + uri);
            s.execute();
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return () -> {
            try (c; PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                s.setString(1, "nin-mlflow:" + uri);
                s.execute();
            }
        };
    }

    private static Map<String, String> artifacts(String json) throws SQLException {
        try {
            return json == null ? new TreeMap<>() : new TreeMap<>(JSON.readValue(json, new TypeReference<Map<String, String>>() {}));
        } catch (IOException e) {
            throw new SQLException("mlflow_links.artifacts is not a JSON object of strings: " + e.getMessage(), e);
        }
    }

    private static String json(Map<String, String> artifacts) throws SQLException {
        try {
            return JSON.writeValueAsString(new TreeMap<>(artifacts));
        } catch (IOException e) {
            throw new SQLException(e.getMessage(), e);
        }
    }
}
