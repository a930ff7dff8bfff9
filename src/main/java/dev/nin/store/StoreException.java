package dev.nin.store;

/** The experiment store cannot be reached or used; the message names the URL (password redacted) and the fix. */
public final class StoreException extends RuntimeException {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
