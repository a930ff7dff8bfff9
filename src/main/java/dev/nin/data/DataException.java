package dev.nin.data;

/** A dataset file that is missing, truncated, corrupt or of the wrong kind; the message names the file and the fix. */
public final class DataException extends RuntimeException {

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
