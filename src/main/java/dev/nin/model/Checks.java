package dev.nin.model;

import dev.nin.config.UsageException;

/** Validation helpers that phrase failures as "field: expected X, found Y". */
final class Checks {

    private Checks() {}

    static void atLeast(String field, long value, long min) {
        if (value < min) {
            throw new UsageException(field + ": expected at least " + min + ", found " + value);
        }
    }

    static void between(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new UsageException(
                    field + ": expected " + min + " to " + max + ", found " + value);
        }
    }
}
