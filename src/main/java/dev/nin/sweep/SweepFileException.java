package dev.nin.sweep;

import dev.nin.config.UsageException;

/**
 * A sweep file that cannot run: the message names the file, line, column and key, and what to do.
 * A {@link UsageException}, so the CLI maps it to the usage exit code.
 */
public class SweepFileException extends UsageException {

    public SweepFileException(String message) {
        super(message);
    }

    /** Thrown while reading, before the file name is known; {@link SweepParser} adds it. */
    static final class Positioned extends RuntimeException {
        final int line;
        final int column;
        final String key;
        final String problem;

        Positioned(int line, int column, String key, String problem) {
            super(key + ": " + problem);
            this.line = line;
            this.column = column;
            this.key = key;
            this.problem = problem;
        }
    }
}
