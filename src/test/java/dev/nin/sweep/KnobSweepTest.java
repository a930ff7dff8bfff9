package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Knob;
import dev.nin.model.Variants;
import dev.nin.train.KnobValues;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Sweep files and sweeps/schema.json agree with the registry, knob by knob: the parser refuses
 * just outside each range with the knob's words, takes each default, and the schema states the
 * same type, range, choices, default and description.
 */
class KnobSweepTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a knob's value goes in a sweep file, with {@code %s} for the value, and the key errors name. */
    private record Place(String yaml, String where) {}

    private static Place place(Knob knob) {
        if (knob.hyperparameter) {
            return new Place("base: {" + knob.key + ": %s}", "base." + knob.key);
        }
        return switch (knob) {
            case SEED -> new Place("seeds: [%s]", "seeds[0]");
            case THREADS -> new Place("threads: %s", "threads");
            case STALL_STEPS -> new Place("stall: {steps: %s}", "stall.steps");
            case STALL_BAND -> new Place("stall: {steps: 10, band: %s}", "stall.band");
            default -> {
                assertTrue(knob.key.startsWith("data."), knob.key);
                yield new Place("data: {" + knob.key.substring(5) + ": %s}", knob.key);
            }
        };
    }

    private static String refused(String yaml) {
        return assertThrows(SweepFileException.class, () -> SweepParser.parse("k.yaml", "name: k\nmetric: train_loss\n" + yaml + "\n"),
                yaml).getMessage();
    }

    /** Values just outside a numeric knob's range: at an open end, else one step beyond. */
    private static List<String> outside(Knob knob) {
        double step = knob.kind == Knob.Kind.WHOLE ? 1 : 0.5;
        List<String> values = new ArrayList<>();
        // A sweep file leaves stall: out to never stall, so its steps start at 1 (checked below) where the flag's start at 0.
        if (knob != Knob.STALL_STEPS) {
            values.add(Knob.format(knob.minOpen() ? knob.min() : knob.min() - step));
        }
        if (knob.bounded()) {
            values.add(Knob.format(knob.maxOpen() ? knob.max() : knob.max() + step));
        }
        return values;
    }

    @Test
    void theParserRefusesJustOutsideEveryRangeInTheKnobsWords() {
        int checked = 0;
        for (Knob knob : Knob.values()) {
            Place place = place(knob);
            if (knob.numeric()) {
                for (String value : outside(knob)) {
                    String error = refused(String.format(place.yaml(), value));
                    assertTrue(error.endsWith(": " + place.where() + ": " + knob.expected() + ", found " + value), error);
                    checked++;
                }
            } else if (knob.kind == Knob.Kind.CHOICE) {
                String error = refused(String.format(place.yaml(), "nope"));
                assertTrue(error.endsWith(": " + place.where() + ": " + knob.expected() + ", found 'nope'"), error);
                for (String word : knob.choices()) {
                    assertTrue(knob.expected().contains(word), knob.expected());
                }
                checked++;
            } else if (knob.kind == Knob.Kind.FLAG) {
                String error = refused(String.format(place.yaml(), "3"));
                assertTrue(error.endsWith(place.where() + ": expected true or false, found 3"), error);
                checked++;
            } else {
                String error = refused(String.format(place.yaml(), "resnet"));
                Variants.all().forEach(v -> assertTrue(error.contains(v.name()), error));
                checked++;
            }
        }
        assertTrue(checked > Knob.values().length, "every knob, numeric ones at both ends");
        assertTrue(refused("stall: {steps: 0}").endsWith("stall.steps: expected 1 or more (leave out stall: to never stall), found 0"));
        // In plain words, two the README documents.
        assertTrue(refused("base: {epochs: 1001}").endsWith("base.epochs: expected 1 to 1000, found 1001"));
        assertTrue(refused("base: {lr: 0}").endsWith("base.lr: expected a learning rate > 0, found 0"));
    }

    @Test
    void aFileSettingNothingGetsEveryDefault() {
        SweepFile sweep = SweepParser.parse("k.yaml", "name: k\nmetric: train_loss\n");
        Map<Knob, Object> defaults = Knob.defaults();
        assertEquals(Hyperparameters.book(), sweep.base());
        for (Knob knob : Knob.hyperparameters()) {
            assertEquals(defaults.get(knob), sweep.base().values().get(knob), knob.key);
        }
        Map<Knob, Object> trial = KnobValues.of(sweep.base().variant(), OptionalDouble.empty(),
                sweep.base().toTrainConfig(1, sweep.threads(), sweep.stall().rule()), sweep.data());
        for (Knob knob : Knob.values()) {
            // A sweep's seeds are its own list ([1]); without stall: its rule is off (steps 0, band 0).
            if (knob != Knob.SEED && knob != Knob.STALL_BAND) {
                assertEquals(defaults.get(knob), trial.get(knob), knob.key);
            }
        }
        assertEquals(List.of(1L), sweep.seeds());
    }

    @Test
    void everyHyperparameterKnobCanBeAnAxisAndNumericOnesARange() {
        for (Knob knob : Knob.hyperparameters()) {
            String values = switch (knob.kind) {
                case WHOLE -> knob == Knob.RESIZE ? "[67, 96]" : "[" + Knob.format(knob.min() + 1) + ", " + Knob.format(knob.min() + 2) + "]";
                case REAL -> "[" + Knob.format(knob.max() >= 1 ? 0.5 : knob.max() / 2) + ", " + Knob.format(knob.max() >= 1 ? 0.25 : knob.max() / 4) + "]";
                case FLAG -> "[false]";
                case CHOICE -> knob.choices().toString();
                case NAME -> "[standard, nin-bn]";
            };
            SweepFile sweep = SweepParser.parse("k.yaml", "name: k\nmetric: train_loss\nbase: {resize: 96}\naxes:\n  " + knob.key + ": "
                    + values + "\n");
            assertEquals(knob.key, sweep.axes().get(0).key());
        }
    }

    // --- sweeps/schema.json ---

    /** Where a knob is described in the schema. */
    private static String pointer(Knob knob) {
        if (knob.hyperparameter) {
            return "/$defs/hyperparameters/properties/" + knob.key;
        }
        return switch (knob) {
            case SEED -> "/properties/seeds/items";
            case THREADS -> "/properties/threads";
            default -> "/properties/" + knob.key.replace(".", "/properties/");
        };
    }

    /** What the schema must say of a knob, from the registry. */
    static ObjectNode expected(Knob knob) {
        ObjectNode p = JSON.createObjectNode();
        switch (knob.kind) {
            case WHOLE -> p.put("type", "integer");
            case REAL -> p.put("type", "number");
            case FLAG -> p.put("type", "boolean");
            case CHOICE -> knob.choices().forEach(p.putArray("enum")::add);
            case NAME -> p.put("$ref", "#/$defs/variant");
        }
        if (knob.numeric()) {
            // A file leaves stall: out to never stall: its steps start at 1.
            double min = knob == Knob.STALL_STEPS ? 1 : knob.min();
            putNumber(p, knob.minOpen() ? "exclusiveMinimum" : "minimum", min, knob);
            if (knob.bounded()) {
                putNumber(p, knob.maxOpen() ? "exclusiveMaximum" : "maximum", knob.max(), knob);
            }
        }
        // A sweep's seeds default to the list [1] (the key seeds), not train's 42; a file without stall: never stalls
        // (no steps to default); dropout's default is the variant's.
        if (knob != Knob.SEED && knob != Knob.STALL_STEPS && knob.defaultValue() != null) {
            p.set("default", JSON.valueToTree(knob.defaultValue()));
        }
        p.put("description", knob.help + ".");
        return p;
    }

    private static void putNumber(ObjectNode p, String field, double value, Knob knob) {
        if (knob.kind == Knob.Kind.WHOLE) {
            p.put(field, (long) value);
        } else if (value == Math.rint(value)) {
            p.put(field, (long) value);
        } else {
            p.put(field, value);
        }
    }

    @Test
    void schemaStatesEveryKnobAsTheRegistryDefinesIt() throws Exception {
        JsonNode schema = JSON.readTree(Path.of("sweeps/schema.json").toFile());
        ObjectNode generated = schema.deepCopy();
        Map<String, String> wrong = new TreeMap<>();
        for (Knob knob : Knob.values()) {
            JsonNode actual = schema.at(pointer(knob));
            ObjectNode want = expected(knob);
            if (!normalised(actual).equals(normalised(want))) {
                wrong.put(knob.key, "schema " + actual + ", registry " + want);
            }
            String pointer = pointer(knob);
            ObjectNode parent = (ObjectNode) generated.at(pointer.substring(0, pointer.lastIndexOf('/')));
            String field = pointer.substring(pointer.lastIndexOf('/') + 1);
            // Keep what the registry does not say (e.g. the variant's anyOf lives in $defs).
            parent.set(field, want);
        }
        if (!wrong.isEmpty()) {
            Path out = Path.of("target/schema.json");
            Files.createDirectories(out.getParent());
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), generated);
            throw new AssertionError("sweeps/schema.json disagrees with the registry (dev.nin.config.Knob); the schema with the"
                    + " registry's fields is in " + out + ":\n" + String.join("\n", wrong.entrySet().stream()
                            .map(e -> e.getKey() + ": " + e.getValue()).toList()));
        }
        // The variant's definition lists every built-in variant.
        assertNotNull(schema.at("/$defs/builtin_variant/enum"));
        // Axes take every hyperparameter knob.
        for (Knob knob : Knob.hyperparameters()) {
            assertEquals("#/$defs/axis", schema.at("/properties/axes/properties/" + knob.key + "/$ref").asText(), knob.key);
        }
    }

    /** Numbers compared by value (1 and 1.0 are the same bound), fields in any order. */
    private static Map<String, String> normalised(JsonNode node) {
        Map<String, String> fields = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), e.getValue().isNumber() ? Knob.format(e.getValue().asDouble()) : e.getValue().toString());
        }
        return fields;
    }
}
