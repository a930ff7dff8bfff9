package dev.nin.config;

/**
 * A value the user gave is wrong: a flag, a sweep file's key, an environment variable, a file
 * named on the command line, a trial id. Its message is one line that names the value and says
 * what was expected ("--lr: expected more than 0, found -1"); {@code nin} prints it alone and
 * exits with 2. Any other {@link IllegalArgumentException} is a bug and ends with exit 1 and its trace.
 */
public class UsageException extends IllegalArgumentException {

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
