package dev.nin.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nin.model.ModelSpec;
import dev.nin.model.ModelSpecJson;
import dev.nin.model.Variants;
import dev.nin.model.Initializer;
import dev.nin.model.TrainingTransforms;
import dev.nin.train.LearningRateSchedule;
import dev.nin.train.StallRule;
import dev.nin.train.TrainingOptions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.nin.data.DataOptions;
import dev.nin.data.IdxReader;
import dev.nin.model.NetworkPlan;
import dev.nin.model.PlannedLayer;
import dev.nin.train.TrainConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fully resolved configuration of a trial as canonical JSON (keys sorted), and its SHA-256:
 * equal hashes mean the same network, hyperparameters and data.
 */
public record TrialConfig(String json, String sha256) {

    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /**
     * The architecture a trial trains: from its stored config, else (trials recorded before specs
     * were stored) the built-in variant of that name, with the trial's dropout.
     */
    public static ModelSpec modelOf(String configJson, String variant, double dropout) {
        try {
            JsonNode model = CANONICAL.readTree(configJson).get("model");
            if (model != null) {
                return ModelSpecJson.fromTree(model);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("a trial's config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return Variants.named(variant).withDropout(dropout);
    }

    /** The training options stored in a trial's config; the book's where absent (trials recorded before options existed). */
    public static TrainingOptions optionsOf(String configJson) {
        try {
            JsonNode root = CANONICAL.readTree(configJson);
            TrainingOptions o = TrainingOptions.BOOK;
            JsonNode s = root.get("schedule");
            if (s != null) {
                o = o.withSchedule(new LearningRateSchedule(LearningRateSchedule.Kind.parse(s.path("kind").asText()),
                        s.path("warmup_epochs").asDouble(), s.path("step_epochs").asInt(), s.path("step_gamma").asDouble()));
            }
            if (root.has("init")) {
                o = o.withInitializer(Initializer.parse(root.get("init").asText()));
            }
            o = o.withTransforms(new TrainingTransforms(root.path("crop_padding").asInt(0), root.path("flip").asBoolean(false),
                    root.path("label_smoothing").asDouble(0)));
            JsonNode stall = root.get("stall");
            if (stall != null) {
                o = o.withStall(new StallRule(stall.path("steps").asInt(0), stall.path("band").asDouble(0)));
            }
            return o;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
            throw new StoreException("a trial's config has unreadable training options: " + e.getMessage(), e);
        }
    }

    public static TrialConfig of(NetworkPlan plan, TrainConfig config, DataOptions data) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("variant", plan.spec().variant());
        root.put("model", CANONICAL.convertValue(ModelSpecJson.toTree(plan.spec()), Map.class));
        root.put("learning_rate", config.learningRate());
        root.put("epochs", config.epochs());
        root.put("batch_size", config.batchSize());
        root.put("resize", config.resize());
        root.put("seed", config.seed());
        root.put("momentum", config.optimizer().momentum());
        root.put("nesterov", config.optimizer().nesterov());
        root.put("weight_decay", config.optimizer().weightDecay());
        root.put("threads", config.threads());
        TrainingOptions o = config.options();
        Map<String, Object> schedule = new LinkedHashMap<>();
        schedule.put("kind", o.schedule().kind().key());
        schedule.put("warmup_epochs", o.schedule().warmupEpochs());
        schedule.put("step_epochs", o.schedule().stepEpochs());
        schedule.put("step_gamma", o.schedule().stepGamma());
        root.put("schedule", schedule);
        root.put("init", o.initializer().key());
        root.put("label_smoothing", o.transforms().labelSmoothing());
        root.put("crop_padding", o.transforms().cropPadding());
        root.put("flip", o.transforms().flip());
        root.put("stall", Map.of("steps", o.stall().steps(), "band", o.stall().band()));
        root.put("train_limit", data.trainLimit());
        root.put("validation_size", data.validationSize());
        root.put("test_limit", data.testLimit());
        root.put("split_seed", DataOptions.SPLIT_SEED);
        List<Map<String, Object>> layers = new ArrayList<>();
        for (PlannedLayer layer : plan.layers()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", layer.name());
            l.put("op", layer.description());
            l.put("output", layer.output().toString());
            l.put("params", layer.params());
            layers.add(l);
        }
        root.put("layers", layers);
        try {
            String json = CANONICAL.writeValueAsString(root);
            return new TrialConfig(json, IdxReader.sha256(json.getBytes(StandardCharsets.UTF_8)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of numbers and strings always serialises", e);
        }
    }
}
