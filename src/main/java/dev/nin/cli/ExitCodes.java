package dev.nin.cli;

import dev.nin.data.DataException;
import dev.nin.engine.NativeLibraryException;
import dev.nin.store.StoreException;

/** Every exit code {@code nin} uses, and the one place exceptions become exit codes. */
public final class ExitCodes {

    public static final int OK = 0;
    /** A failure nobody foresaw: a bug, or the machine (out of memory, disk full). */
    public static final int FAILURE = 1;
    /** Bad command line or configuration: a flag, value or file the user can fix. */
    public static final int USAGE = 2;
    /** Dataset missing, truncated or corrupt. */
    public static final int DATA = 3;
    /** TensorFlow's native libraries missing or broken. */
    public static final int NATIVE_LIBRARY = 4;
    /** Training diverged: the loss became NaN or infinite. */
    public static final int DIVERGED = 5;
    /** The experiment store (PostgreSQL) unreachable, refusing us, or newer than this nin. */
    public static final int STORE = 6;
    /** A sweep stopped at a failed trial because of --fail-fast. */
    public static final int SWEEP_STOPPED = 7;
    /** ./nin sync could not reach MLflow (nothing is lost; run it again later). */
    public static final int MLFLOW = 8;
    /** {@code train}: the loss stayed on the ln 10 plateau for --stall-steps steps. */
    public static final int STALLED = 9;

    private ExitCodes() {}

    public static int of(Throwable error) {
        if (error instanceof IllegalArgumentException) {
            return USAGE;
        }
        if (error instanceof DataException) {
            return DATA;
        }
        if (error instanceof NativeLibraryException) {
            return NATIVE_LIBRARY;
        }
        if (error instanceof StoreException) {
            return STORE;
        }
        if (error instanceof SyncCommand.MlflowUnavailableException) {
            return MLFLOW;
        }
        return FAILURE;
    }
}
