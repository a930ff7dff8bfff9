package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nin.train.EpochMetrics;
import dev.nin.train.TrainingEvent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the console says of fp16 steps the loss scale skipped: counted per epoch, the first step's included. */
class ConsoleProgressTest {

    private static EpochMetrics epoch(int n) {
        return new EpochMetrics(n, 0.5, 0.8, 0.75, Double.NaN, 100, 1, 0.5, 1.5);
    }

    @Test
    void skippedStepsAreCountedPerEpochUnderItsLine() {
        StringWriter text = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false);
        // As the trainer sends them: a step's skip before that step's BatchEnded.
        progress.on(new TrainingEvent.StepSkipped(1, 1, 32768));
        progress.on(new TrainingEvent.BatchEnded(1, 1, 4, 2.3, 64, 0.1));
        progress.on(new TrainingEvent.BatchEnded(1, 2, 4, 2.2, 64, 0.1));
        progress.on(new TrainingEvent.StepSkipped(1, 3, 16384));
        progress.on(new TrainingEvent.BatchEnded(1, 3, 4, 2.1, 64, 0.1));
        progress.on(new TrainingEvent.BatchEnded(1, 4, 4, 2.0, 64, 0.1));
        progress.on(new TrainingEvent.EpochEnded(epoch(1)));
        for (int b = 1; b <= 4; b++) {
            progress.on(new TrainingEvent.BatchEnded(2, b, 4, 1.9, 64, 0.1));
        }
        progress.on(new TrainingEvent.EpochEnded(epoch(2)));

        List<String> lines = text.toString().lines().filter(l -> l.startsWith("epoch ") && !l.contains("%") || l.startsWith("  "))
                .toList();
        assertEquals(3, lines.size(), text.toString());
        assertEquals("  fp16: 2 of 4 steps skipped (gradients not finite at the loss scale), which changed no weight;"
                + " loss scale after the last skip 16,384", lines.get(1));
        org.junit.jupiter.api.Assertions.assertTrue(lines.get(2).startsWith("epoch 2/"), "no fp16 line for an epoch without skips: " + text);
    }
}
