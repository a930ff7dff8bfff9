package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.DataException;
import dev.nin.engine.NativeLibraryException;
import dev.nin.store.StoreException;
import dev.nin.train.TrainingResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The exit codes are defined once, in {@link ExitCode}; --help and README's table say the same. */
class ExitCodeTest {

    @Test
    void codesAreDistinctAndNumberedFromZero() {
        ExitCode[] all = ExitCode.values();
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, all[i].code, all[i].name());
        }
        assertEquals(9, ExitCode.STALLED.code);
    }

    @Test
    void helpListsEveryCodeWithItsDescription() {
        String help = new CommandLine(new NinCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        int heading = help.indexOf("Exit codes:");
        assertTrue(heading >= 0, help);
        // picocli wraps long lines; compare with the whitespace collapsed.
        String section = help.substring(heading + "Exit codes:".length()).replaceAll("\\s+", " ").strip();
        StringBuilder expected = new StringBuilder();
        for (ExitCode c : ExitCode.values()) {
            expected.append(expected.length() == 0 ? "" : " ").append(c.code).append(' ').append(c.description);
        }
        assertEquals(expected.toString(), section);
    }

    @Test
    void exceptionsAndOutcomesMapToTheirCodes() {
        assertEquals(ExitCode.USAGE, ExitCode.of(new dev.nin.config.UsageException("x")));
        assertEquals(ExitCode.USAGE, ExitCode.of(new dev.nin.sweep.SweepFileException("x")), "a subclass maps as its parent");
        // Only the user's mistakes are exit 2: any other IllegalArgumentException is a bug, with its trace.
        assertEquals(ExitCode.FAILURE, ExitCode.of(new IllegalArgumentException("x")));
        assertEquals(ExitCode.FAILURE, ExitCode.of(new NumberFormatException("x")));
        assertEquals(ExitCode.DATA, ExitCode.of(new DataException("x")));
        assertEquals(ExitCode.NATIVE_LIBRARY, ExitCode.of(new NativeLibraryException("x", null)));
        assertEquals(ExitCode.STORE, ExitCode.of(new StoreException("x", null)));
        assertEquals(ExitCode.MLFLOW, ExitCode.of(new SyncCommand.MlflowUnavailableException("x", null)));
        assertEquals(ExitCode.FAILURE, ExitCode.of(new IllegalStateException("x")));
        assertEquals(ExitCode.FAILURE, ExitCode.of(new OutOfMemoryError()));
        assertEquals(ExitCode.OK, ExitCode.of(TrainingResult.Status.COMPLETED));
        assertEquals(ExitCode.DIVERGED, ExitCode.of(TrainingResult.Status.DIVERGED));
        assertEquals(ExitCode.STALLED, ExitCode.of(TrainingResult.Status.STALLED));
    }
}
