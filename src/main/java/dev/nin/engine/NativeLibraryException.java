package dev.nin.engine;

/** TensorFlow's native libraries are missing or cannot be loaded; the message says how to fix it. */
public final class NativeLibraryException extends RuntimeException {

    public NativeLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
