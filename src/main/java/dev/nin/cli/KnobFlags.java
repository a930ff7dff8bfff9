package dev.nin.cli;

import dev.nin.config.Knob;
import dev.nin.model.Variants;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code train} flags of the registry's knobs, built from {@link Knob} when picocli builds the
 * command: name, value label, type, default and help ("Learning rate (> 0; default: 0.1)."), so
 * a knob's flag, range and default are written once. Named as the command's {@code modelTransformer}.
 */
public final class KnobFlags implements IModelTransformer {

    @Override
    public CommandSpec transform(CommandSpec spec) {
        for (Knob knob : Knob.values()) {
            OptionSpec.Builder option = OptionSpec.builder(knob.flag).description(description(knob)).type(type(knob));
            if (knob.kind == Knob.Kind.FLAG) {
                option.arity("0").defaultValue("false");
            } else {
                option.paramLabel(knob.paramLabel).defaultValue(knob.defaultArgument());
            }
            spec.addOption(option.build());
        }
        return spec;
    }

    /** The help of a knob's flag: its text, the accepted values and the default. */
    static String description(Knob knob) {
        List<String> notes = new ArrayList<>();
        String range = knob == Knob.VARIANT ? "one of " + String.join(", ", variants()) : knob.range();
        if (!range.isEmpty()) {
            notes.add(range);
        }
        notes.add("default: " + knob.defaultText());
        return knob.help + " (" + String.join("; ", notes) + ").";
    }

    private static List<String> variants() {
        return Variants.all().stream().map(Variants.Variant::name).toList();
    }

    /** The Java type picocli converts the value to: its "is not an int" errors name the type a flag takes. */
    private static Class<?> type(Knob knob) {
        return switch (knob.kind) {
            case WHOLE -> knob.max() > Integer.MAX_VALUE ? Long.class : Integer.class;
            case REAL -> Double.class;
            case FLAG -> Boolean.class;
            case CHOICE, NAME -> String.class;
        };
    }

    /** Every knob's value in a parsed command (its default where the flag was not given; a dropout may be null). */
    static Map<Knob, Object> values(CommandSpec spec) {
        Map<Knob, Object> values = new EnumMap<>(Knob.class);
        for (Knob knob : Knob.values()) {
            values.put(knob, knob.normalise(spec.findOption(knob.flag).getValue()));
        }
        return values;
    }
}
