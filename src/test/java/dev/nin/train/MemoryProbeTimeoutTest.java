package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.model.OptimizerSpec;
import dev.nin.model.Variants;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** The memory probe gives up on a child that hangs: it is killed at the timeout and the error says so. */
class MemoryProbeTimeoutTest {

    private static List<String> java(String mainClass) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-cp",
                System.getProperty("java.class.path"), mainClass);
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    void aHangingChildIsKilledAtTheTimeoutWithAClearError() {
        Set<Long> before = children();
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MemoryProbe.run(java(HangingChild.class.getName()),
                "{}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3), "memory probe (training, batch 1)"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 3 && seconds < 30, "gave up after " + seconds + " s, expected just after 3 s");
        assertTrue(e.getMessage().startsWith("memory probe (training, batch 1): no answer after 3 s; the child process was killed"),
                e.getMessage());
        // What it printed before hanging, which tells where it hung.
        assertTrue(e.getMessage().endsWith("its last output: hanging child started"), e.getMessage());
        Set<Long> after = children();
        after.removeAll(before);
        assertEquals(Set.of(), after, "the hung child is gone");
    }

    @Test
    void aChildThatAnswersInTimeIsRead() {
        MemoryProbe.Child child = MemoryProbe.run(List.of("sh", "-c", "cat; echo; echo done; exit 3"),
                "spec".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30), "test");
        assertEquals(3, child.exitCode());
        assertEquals("spec\ndone\n", child.output());
    }

    @Test
    void theTimeoutAppliesToARealMeasurement() {
        // No JVM starts, loads TensorFlow and trains within 1 ms: the measurement fails with the timeout, promptly.
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new MemoryProbe(1, Duration.ofMillis(1))
                .measure(Variants.standard(), 67, 1, OptimizerSpec.BOOK_SGD, MemoryProbe.Mode.TRAINING));
        assertTrue(e.getMessage().startsWith("memory probe (training, batch 1, fp32): no answer after 1 ms; the child process was killed"),
                e.getMessage());
        assertTrue((System.nanoTime() - start) / 1e9 < 20, "gave up promptly");
        assertFalse(ProcessHandle.current().children().anyMatch(p -> p.isAlive() && p.info().command().orElse("").endsWith("java")
                && p.info().arguments().map(a -> String.join(" ", a)).orElse("").contains(MemoryProbeMain.class.getName())),
                "the probe's child is gone");
    }
}
