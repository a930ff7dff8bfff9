package dev.nin.cli;

/**
 * The int view of {@link ExitCode}, for commands (picocli's {@code Callable<Integer>}) and the
 * execution-exception handler. Every value comes from the enum; nothing is defined here.
 */
public final class ExitCodes {

    public static final int OK = ExitCode.OK.code;
    public static final int FAILURE = ExitCode.FAILURE.code;
    public static final int USAGE = ExitCode.USAGE.code;
    public static final int DATA = ExitCode.DATA.code;
    public static final int NATIVE_LIBRARY = ExitCode.NATIVE_LIBRARY.code;
    public static final int DIVERGED = ExitCode.DIVERGED.code;
    public static final int STORE = ExitCode.STORE.code;
    public static final int SWEEP_STOPPED = ExitCode.SWEEP_STOPPED.code;
    public static final int MLFLOW = ExitCode.MLFLOW.code;
    public static final int STALLED = ExitCode.STALLED.code;

    private ExitCodes() {}

    /** {@link ExitCode#of(Throwable)}'s code. */
    public static int of(Throwable error) {
        return ExitCode.of(error).code;
    }
}
