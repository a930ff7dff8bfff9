package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/** sweeps/schema.json (for editors) and the parser (for nin) accept the same keys. */
class SweepSchemaTest {

    private static final JsonNode SCHEMA = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(Path.of("sweeps/schema.json").toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> keys(JsonNode properties) {
        Set<String> keys = new TreeSet<>();
        properties.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void topLevelKeysAgree() {
        assertEquals(new TreeSet<>(SweepParser.TOP_KEYS), keys(SCHEMA.get("properties")));
    }

    @Test
    void hyperparameterAndAxisKeysAgree() {
        Set<String> expected = new TreeSet<>(Hyperparameters.KEYS);
        assertEquals(expected, keys(SCHEMA.at("/$defs/hyperparameters/properties")));
        assertEquals(expected, keys(SCHEMA.at("/properties/axes/properties")));
    }

    @Test
    void dataKeysAndVariantsAgree() {
        assertEquals(new TreeSet<>(SweepParser.DATA_KEYS), keys(SCHEMA.at("/properties/data/properties")));
        Set<String> variants = new TreeSet<>();
        SCHEMA.at("/$defs/builtin_variant/enum").forEach(v -> variants.add(v.asText()));
        Set<String> known = new TreeSet<>();
        dev.nin.model.Variants.all().forEach(v -> known.add(v.name()));
        assertEquals(known, variants);
    }

    @Test
    void tpeKeysAndStrategiesAgree() {
        assertEquals(new TreeSet<>(SweepParser.TPE_KEYS), keys(SCHEMA.at("/properties/tpe/properties")));
        Set<String> strategies = new TreeSet<>();
        SCHEMA.at("/properties/strategy/enum").forEach(v -> strategies.add(v.asText()));
        Set<String> known = new TreeSet<>();
        for (SweepFile.Strategy s : SweepFile.Strategy.values()) {
            known.add(s.value());
        }
        assertEquals(known, strategies);
    }

    @Test
    void modelKeysAgree() {
        assertEquals(new TreeSet<>(SweepParser.MODEL_KEYS), keys(SCHEMA.at("/properties/models/additionalProperties/properties")));
        assertEquals(new TreeSet<>(SweepParser.BLOCK_KEYS),
                keys(SCHEMA.at("/properties/models/additionalProperties/properties/blocks/additionalProperties/properties")));
    }
}
