package dev.nin.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}; it includes
 * TensorFlow's native allocations, which the JVM's own counters do not see.
 */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Peak resident set size ({@code VmHWM}) in bytes, or -1 where /proc is not available. */
    public static long peakResidentBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size ({@code VmRSS}) in bytes, or -1 where /proc is not available. */
    public static long residentBytes() {
        return field("VmRSS:");
    }

    /**
     * Resets the peak to the current resident size (Linux ≥ 4.0: writing 5 to
     * {@code /proc/self/clear_refs}), so the next {@link #peakResidentBytes()} covers only what
     * happens from now on.
     *
     * @return false where the kernel does not allow it; the peak then still includes the past
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
