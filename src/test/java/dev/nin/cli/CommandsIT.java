package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainIntegrationTest;
import io.quarkus.test.junit.main.QuarkusMainLauncher;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The packaged app, run as a user runs it: exit codes and what it prints. */
@QuarkusMainIntegrationTest
class CommandsIT {

    /** The embedded database the recorded runs started (home and port from the failsafe configuration). */
    @AfterAll
    static void stopEmbeddedDatabase() throws Exception {
        NinProcess.withHome(Path.of(System.getenv("NIN_HOME")), Integer.parseInt(System.getenv("NIN_DB_EMBEDDED_PORT")))
                .run("db", "stop");
    }

    @Test
    void helpListsTheCommandsAndExitCodes(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("--help");
        assertEquals(0, result.exitCode());
        assertTrue(result.getOutput().contains("summary"), result.getOutput());
        assertTrue(result.getOutput().contains("train"), result.getOutput());
        assertTrue(result.getOutput().contains("bench"), result.getOutput());
        assertTrue(result.getOutput().contains("Exit codes:"), result.getOutput());
        assertTrue(result.getOutput().contains(ExitCode.DATA.description), result.getOutput());
    }

    @Test
    void summaryShowsTheDesignFigures(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("summary");
        String out = result.getOutput();
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(out.contains("1,992,166"), out);
        assertTrue(out.contains("762.3 M per image"), out);
        assertTrue(out.contains("1.525 GFLOP per image"), out);
        for (String shape : new String[] {"96x54x54", "96x26x26", "256x26x26", "256x12x12", "384x12x12", "384x5x5",
            "10x5x5", "10x1x1"}) {
            assertTrue(out.contains(shape), shape + " missing in\n" + out);
        }
        assertTrue(out.contains("training, batch 128          1.09 GiB"), out);
        assertTrue(out.contains("prediction, batch 1           9.7 MiB"), out);
    }

    @Test
    void summaryAt96AndAnotherVariant(QuarkusMainLauncher launcher) {
        LaunchResult at96 = launcher.launch("summary", "--resize", "96");
        assertEquals(0, at96.exitCode());
        assertTrue(at96.getOutput().contains("108.0 M per image"), at96.getOutput());
        LaunchResult single = launcher.launch("summary", "--variant", "single-1x1");
        assertEquals(0, single.exitCode());
        assertTrue(single.getOutput().contains("1,769,112"), single.getOutput());
    }

    @Test
    void badFlagsAreUsageErrorsThatNameTheValue(QuarkusMainLauncher launcher) {
        LaunchResult small = launcher.launch("summary", "--resize", "66");
        assertEquals(ExitCode.USAGE.code, small.exitCode());
        assertTrue(small.getErrorOutput().contains("resize: expected at least 67"), small.getErrorOutput());

        LaunchResult variant = launcher.launch("train", "--variant", "vgg");
        assertEquals(ExitCode.USAGE.code, variant.exitCode());
        assertTrue(variant.getErrorOutput().contains("found 'vgg'"), variant.getErrorOutput());

        LaunchResult lr = launcher.launch("train", "--lr", "-0.1");
        assertEquals(ExitCode.USAGE.code, lr.exitCode());
        assertTrue(lr.getErrorOutput().contains("--lr: expected a learning rate > 0, found -0.1"), lr.getErrorOutput());

        LaunchResult resize = launcher.launch("train", "--resize", "50");
        assertEquals(ExitCode.USAGE.code, resize.exitCode());
        assertTrue(resize.getErrorOutput().contains("found 50"), resize.getErrorOutput());

        LaunchResult unknown = launcher.launch("train", "--learning-rate", "0.1");
        assertEquals(ExitCode.USAGE.code, unknown.exitCode());
        assertTrue(unknown.getErrorOutput().contains("--learning-rate"), unknown.getErrorOutput());

        LaunchResult device = launcher.launch("train", "--device", "tpu");
        assertEquals(ExitCode.USAGE.code, device.exitCode());
        assertTrue(device.getErrorOutput().contains("found 'tpu'"), device.getErrorOutput());
    }

    @Test
    void missingDataFolderIsADataError(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("train", "--resize", "67", "--epochs", "1", "--data", "/nonexistent/fmnist");
        assertEquals(ExitCode.DATA.code, result.exitCode(), result.getOutput() + result.getErrorOutput());
        assertTrue(result.getErrorOutput().contains("/nonexistent/fmnist"), result.getErrorOutput());
    }

    @Test
    void trainsOnRealDataAndEndsWithTheBookLine(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("train", "--resize", "67", "--epochs", "1", "--batch", "64",
                "--train-limit", "640", "--validation", "128", "--test-limit", "256", "--lr", "0.05");
        String out = result.getOutput();
        assertEquals(0, result.exitCode(), out + result.getErrorOutput());
        assertTrue(out.contains("training standard at 67x67 on cpu(): 640 training, 128 validation, 256 test images"), out);
        assertTrue(out.contains("epoch 1/1: loss "), out);
        assertTrue(out.matches("(?s).*loss \\d\\.\\d{3}, train acc \\d\\.\\d{3}, test acc \\d\\.\\d{3}.*"), out);
        assertTrue(out.matches("(?s).*\\d+\\.\\d examples/sec on cpu\\(\\).*"), out);
    }

    @Test
    void benchPrintsFiguresAgainstTheCeiling(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("bench", "--resize", "67", "--batch", "16", "--steps", "1", "--warmup", "1",
                "--rounds", "2", "--precision", "bf16");
        String out = result.getOutput();
        assertEquals(0, result.exitCode(), out + result.getErrorOutput());
        assertTrue(out.contains("ceiling: a 5x5 conv 96->256 at 26x26, batch 16, in the row's precision, timed in turns"), out);
        // resize, precision, phase, img/s, GFLOP/s, the ceiling timed alongside, and the ratio; fp32 first, always.
        assertTrue(out.matches("(?s).*67\\s+fp32\\s+training\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+%.*"), out);
        assertTrue(out.matches("(?s).*67\\s+fp32\\s+inference\\s+\\d+\\.\\d.*"), out);
        // bf16 beside it, with its speed over fp32's of the same round.
        assertTrue(out.matches("(?s).*67\\s+bf16\\s+training\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+%\\s+\\d+\\.\\d\\dx.*"),
                out);
        // Two rounds: each phase twice per precision, then its median and range.
        assertEquals(2, out.split("\\n67\\s+fp32\\s+training\\s+\\d", -1).length - 1, out);
        assertEquals(2, out.split("\\n67\\s+bf16\\s+training\\s+\\d", -1).length - 1, out);
        assertTrue(out.matches("(?s).*67\\s+fp32 training\\s+of the ceiling over 2 rounds: median \\d+\\.\\d%, range \\d+-\\d+%.*"), out);
        assertTrue(out.matches("(?s).*67\\s+bf16 training\\s+of the ceiling over 2 rounds: median \\d+\\.\\d%, range \\d+-\\d+%;"
                + " vs fp32: median \\d+\\.\\d\\dx, range \\d+\\.\\d\\d-\\d+\\.\\d\\dx.*"), out);
    }
}
