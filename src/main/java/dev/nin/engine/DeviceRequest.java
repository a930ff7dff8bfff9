package dev.nin.engine;

import dev.nin.config.UsageException;
import java.util.Locale;

/** What the user asked for with {@code --device}. */
public enum DeviceRequest {
    AUTO, CPU, GPU;

    /** Parses {@code auto|cpu|gpu}, case-insensitively. */
    public static DeviceRequest parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("device: expected auto, cpu or gpu, found '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
