package dev.nin.model;

import dev.nin.config.UsageException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ModelSpec} as JSON, so a trial carries its exact architecture in the store (a variant
 * defined in a sweep file has no name the code knows) and a child process can be told what to build.
 *
 * <pre>{"variant":"standard","input_channels":1,"classes":10,"layers":[
 *   {"kind":"nin_block","out_channels":96,"kernel":11,"stride":4,"padding":0,"one_by_one_convs":2},
 *   {"kind":"max_pool","window":3,"stride":2}, {"kind":"dropout","rate":0.5}, {"kind":"global_avg_pool"}]}</pre>
 */
public final class ModelSpecJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelSpecJson() {}

    public static ObjectNode toTree(ModelSpec spec) {
        ObjectNode root = JSON.createObjectNode();
        root.put("variant", spec.variant());
        root.put("input_channels", spec.inputChannels());
        root.put("classes", spec.classes());
        if (spec.batchNorm()) {
            root.put("batch_norm", true);
        }
        ArrayNode layers = root.putArray("layers");
        for (LayerSpec layer : spec.layers()) {
            ObjectNode l = layers.addObject();
            l.put("kind", layer.kind());
            if (layer instanceof NinBlock b) {
                l.put("out_channels", b.outChannels()).put("kernel", b.kernel()).put("stride", b.stride())
                        .put("padding", b.padding()).put("one_by_one_convs", b.oneByOneConvs());
            } else if (layer instanceof MaxPool p) {
                l.put("window", p.window()).put("stride", p.stride());
            } else if (layer instanceof Dropout d) {
                l.put("rate", d.rate());
            }
        }
        return root;
    }

    public static String write(ModelSpec spec) {
        return toTree(spec).toString();
    }

    /** @throws IllegalArgumentException naming what is missing or wrong */
    public static ModelSpec read(String json) {
        try {
            return fromTree(JSON.readTree(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UsageException("model spec: not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
    }

    public static ModelSpec fromTree(JsonNode root) {
        List<LayerSpec> layers = new ArrayList<>();
        for (JsonNode l : required(root, "layers")) {
            String kind = required(l, "kind").asText();
            layers.add(switch (kind) {
                case "nin_block" -> new NinBlock(integer(l, "out_channels"), integer(l, "kernel"), integer(l, "stride"),
                        integer(l, "padding"), integer(l, "one_by_one_convs"));
                case "max_pool" -> new MaxPool(integer(l, "window"), integer(l, "stride"));
                case "dropout" -> new Dropout(required(l, "rate").asDouble());
                case "global_avg_pool" -> new GlobalAvgPool();
                default -> throw new UsageException(
                        "model spec: expected a layer kind nin_block, max_pool, dropout or global_avg_pool, found '" + kind + "'");
            });
        }
        return new ModelSpec(required(root, "variant").asText(), integer(root, "input_channels"), integer(root, "classes"),
                layers, root.path("batch_norm").asBoolean(false));
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new UsageException("model spec: expected field '" + field + "' in " + node);
        }
        return value;
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = required(node, field);
        if (!value.canConvertToInt()) {
            throw new UsageException("model spec: " + field + ": expected a whole number, found " + value);
        }
        return value.intValue();
    }
}
