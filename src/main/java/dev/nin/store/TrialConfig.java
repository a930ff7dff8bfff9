package dev.nin.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nin.model.ModelSpec;
import dev.nin.model.ModelSpecJson;
import dev.nin.model.Variants;
import dev.nin.config.Knob;
import dev.nin.model.Dropout;
import dev.nin.train.KnobValues;
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
import java.util.EnumMap;
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
            return KnobValues.options(knobValues(configJson));
        } catch (IllegalArgumentException e) {
            throw new StoreException("a trial's config has unreadable training options: " + e.getMessage(), e);
        }
    }

    /**
     * Every knob's value in a stored config: at the knob's {@link Knob#jsonPath() path}, or
     * {@link Knob#whenAbsent()} for a config recorded before the knob existed; the dropout rate is
     * the model's (0 when it has no dropout stage), as the {@code trials.dropout} column holds it.
     */
    public static Map<Knob, Object> knobValues(String configJson) {
        JsonNode root;
        try {
            root = CANONICAL.readTree(configJson);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new StoreException("a trial's config is not valid JSON: " + e.getOriginalMessage(), e);
        }
        Map<Knob, Object> values = new EnumMap<>(Knob.class);
        for (Knob knob : Knob.values()) {
            if (knob.jsonPath() == null) {
                continue;
            }
            JsonNode node = root.at("/" + knob.jsonPath().replace('.', '/'));
            values.put(knob, node.isMissingNode() || node.isNull() ? knob.whenAbsent() : switch (knob.kind) {
                case WHOLE -> node.asLong();
                case REAL -> node.asDouble();
                case FLAG -> node.asBoolean();
                case CHOICE, NAME -> node.asText();
            });
        }
        values.put(Knob.DROPOUT, dropoutOf(root));
        return values;
    }

    /**
     * Every knob's MLflow param (name to value) of a trial with this stored config: the one list
     * MLflow shows for a trial's hyperparameters, threads, stall rule and data options.
     */
    public static Map<String, String> mlflowParams(String configJson) {
        return Knob.mlflowParams(knobValues(configJson));
    }

    /** The model's dropout rate: from its spec, else (older configs) its layer list's "dropout R", else 0. */
    private static double dropoutOf(JsonNode root) {
        JsonNode model = root.get("model");
        if (model != null) {
            return ModelSpecJson.fromTree(model).layers().stream().filter(Dropout.class::isInstance)
                    .mapToDouble(l -> ((Dropout) l).rate()).findFirst().orElse(0.0);
        }
        for (JsonNode layer : root.path("layers")) {
            String op = layer.path("op").asText();
            if (op.startsWith("dropout ")) {
                return Double.parseDouble(op.substring("dropout ".length()));
            }
        }
        return 0.0;
    }

    public static TrialConfig of(NetworkPlan plan, TrainConfig config, DataOptions data) {
        // The knobs as the registry writes them, then what only a planned trial has: the model, its layers, the split.
        Map<String, Object> root = Knob.canonical(KnobValues.of(plan.spec().variant(), config.dropout(), config, data));
        root.put("model", CANONICAL.convertValue(ModelSpecJson.toTree(plan.spec()), Map.class));
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
