package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Knob;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * docs/reference.md is what {@link ReferenceDoc} renders from the code today: a flag, knob or exit
 * code added or changed without the page fails here. {@code -Dnin.docs.rewrite=true} writes it.
 */
class ReferenceDocTest {

    private static final Path PAGE = Path.of("docs/reference.md");

    @Test
    void theReferenceIsRenderedFromTheCode() throws Exception {
        String rendered = ReferenceDoc.render(new CommandLine(new NinCommand()));
        if (Boolean.getBoolean("nin.docs.rewrite")) {
            Files.writeString(PAGE, rendered, StandardCharsets.UTF_8);
        }
        assertEquals(rendered, Files.readString(PAGE, StandardCharsets.UTF_8),
                "docs/reference.md is stale: mvn test -Dtest=ReferenceDocTest -Dnin.docs.rewrite=true");
    }

    @Test
    void everyCommandKnobAndExitCodeIsOnThePage() {
        String rendered = ReferenceDoc.render(new CommandLine(new NinCommand()));
        for (String command : new String[] {"./nin train", "./nin sweep", "./nin bench", "./nin bench claims", "./nin db url"}) {
            assertTrue(rendered.contains("### `" + command + "`\n"), command);
        }
        assertTrue(rendered.contains("      --profile"), "bench's flags are its own --help");
        for (Knob k : Knob.values()) {
            assertTrue(rendered.contains("| `" + k.flag + "` | `" + k.key + "` | " + k.defaultText() + " |"), k.flag);
        }
        for (ExitCode c : ExitCode.values()) {
            assertTrue(rendered.contains("| " + c.code + " | "), "exit code " + c.code);
        }
    }
}
