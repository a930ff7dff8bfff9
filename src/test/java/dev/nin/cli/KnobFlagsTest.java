package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Knob;
import dev.nin.model.Variants;

import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** {@code train}'s knob flags are the registry's: every knob, with its range, default and help. */
class KnobFlagsTest {

    private static CommandLine train() {
        return new CommandLine(new TrainCommand());
    }

    /** The help of one option, its wrapped lines joined: from the line naming it to the next option's. */
    private static String optionHelp(String help, String flag) {
        StringBuilder block = null;
        for (String line : help.lines().toList()) {
            boolean starts = line.matches(" {2,6}(-\\w, )?--\\S.*");
            if (block != null && starts) {
                break;
            }
            if (block == null && starts && line.strip().replaceFirst("^-\\w, ", "").matches(java.util.regex.Pattern.quote(flag) + "([= ].*)?")) {
                block = new StringBuilder();
            }
            if (block != null) {
                block.append(' ').append(line.strip());
            }
        }
        assertTrue(block != null, flag + " in\n" + help);
        return block.toString().strip();
    }

    @Test
    void helpShowsEveryKnobWithItsRangeAndDefault() {
        String help = train().getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (Knob knob : Knob.values()) {
            String option = optionHelp(help, knob.flag);
            assertTrue(option.contains(knob.help), knob + ": " + option);
            assertTrue(option.contains("default: " + knob.defaultText() + ")"), knob + ": " + option);
            assertTrue(option.contains("(" + knob.range() + "; ") || knob.range().isEmpty(), knob + ": " + option);
        }
        // Spot checks in plain words, not computed by the code under test.
        assertTrue(optionHelp(help, "--lr").contains("Learning rate (> 0; default: 0.1)."), help);
        assertTrue(optionHelp(help, "--epochs").contains("(1 to 1000; default: 10)."), help);
        assertTrue(optionHelp(help, "--momentum").contains("(in [0, 1); default: 0)."), help);
        assertTrue(optionHelp(help, "--step-gamma").contains("(in (0, 1); default: 0.1)."), help);
        assertTrue(optionHelp(help, "--flip").contains("(default: off)."), help);
        String variant = optionHelp(help, "--variant");
        for (Variants.Variant v : Variants.all()) {
            assertTrue(variant.contains(v.name()), v.name() + " in " + variant);
        }
        assertTrue(variant.contains("nin-bn"), variant);
    }

    @Test
    void flagsDefaultToTheRegistrysDefaults() {
        CommandLine train = train();
        train.parseArgs();
        Map<Knob, Object> values = KnobFlags.values(train.getCommandSpec());
        assertEquals(Knob.defaults(), values);
        assertNull(values.get(Knob.DROPOUT), "the variant's dropout");
        assertEquals(0.1, values.get(Knob.LR));
        assertEquals(42L, values.get(Knob.SEED));
        assertEquals(false, values.get(Knob.NESTEROV));
    }

    @Test
    void givenFlagsBecomeTheirKnobsValues() {
        CommandLine train = train();
        train.parseArgs("--lr", "0.05", "--epochs", "3", "--nesterov", "--momentum", "0.9", "--schedule", "step", "--dropout",
                "0.3", "--seed", "9000000000", "--variant", "nin-bn", "--flip", "--test-limit", "500");
        Map<Knob, Object> values = KnobFlags.values(train.getCommandSpec());
        assertEquals(0.05, values.get(Knob.LR));
        assertEquals(3L, values.get(Knob.EPOCHS));
        assertEquals(true, values.get(Knob.NESTEROV));
        assertEquals(0.9, values.get(Knob.MOMENTUM));
        assertEquals("step", values.get(Knob.SCHEDULE));
        assertEquals(0.3, values.get(Knob.DROPOUT));
        assertEquals(9_000_000_000L, values.get(Knob.SEED));
        assertEquals("nin-bn", values.get(Knob.VARIANT));
        assertEquals(true, values.get(Knob.FLIP));
        assertEquals(500L, values.get(Knob.TEST_LIMIT));
    }

    @Test
    void wholeNumberFlagsStillRefuseWhatIsNotAnInt() {
        CommandLine train = train();
        CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                () -> train.parseArgs("--epochs", "99999999999"));
        assertEquals("Invalid value for option '--epochs': '99999999999' is not an int", e.getMessage());
    }
}
