package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.data.DataException;
import dev.nin.engine.NativeLibraryException;
import dev.nin.store.StoreException;
import dev.nin.train.TrainingResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every exit code {@code nin} uses, defined once: its number, what it means (the words of
 * {@code --help} and of docs/reference.md, generated from it), and which exceptions and
 * training outcomes lead to it. Commands return it ({@link NinSubcommand}); picocli gets its {@link #code}.
 */
public enum ExitCode {
    OK(0, "success"),
    /** A failure nobody foresaw: a bug, or the machine. Also every exception no other code claims. */
    FAILURE(1, "unexpected failure (a bug, or the machine: out of memory, disk full)"),
    /**
     * Bad command line or configuration: a flag, value or file the user can fix. Only a
     * {@link UsageException} says so; any other {@link IllegalArgumentException} is a bug ({@link #FAILURE}).
     */
    USAGE(2, "bad flag, value or file (--lr -1, --resize 50, an unknown variant or flag)", UsageException.class),
    DATA(3, "dataset missing, truncated or corrupt", DataException.class),
    NATIVE_LIBRARY(4, "TensorFlow's native libraries missing or broken", NativeLibraryException.class),
    /** A training outcome, not an exception: see {@link #of(TrainingResult.Status)}. */
    DIVERGED(5, "training diverged (the loss or the gradients became NaN or infinite)"),
    STORE(6, "experiment database unreachable, refusing the user or password, or written by a newer nin",
            StoreException.class),
    /** A sweep's or worker's outcome under --fail-fast. */
    SWEEP_STOPPED(7, "a sweep stopped at a failed trial because of --fail-fast"),
    MLFLOW(8, "./nin sync or ./nin report could not reach MLflow (nothing is lost; run it again)",
            SyncCommand.MlflowUnavailableException.class),
    /** A training outcome of {@code ./nin train}: see {@link #of(TrainingResult.Status)}. */
    STALLED(9, "./nin train: the loss stayed on the ln 10 plateau for --stall-steps steps (recorded as stalled)");

    /** The process's exit status. */
    public final int code;
    /** What it means, in one line. */
    public final String description;
    private final List<Class<? extends Throwable>> causes;

    @SafeVarargs
    ExitCode(int code, String description, Class<? extends Throwable>... causes) {
        this.code = code;
        this.description = description;
        this.causes = List.of(causes);
    }

    /** The code for an exception that ended a command: the first code claiming its class, else {@link #FAILURE}. */
    public static ExitCode of(Throwable error) {
        for (ExitCode c : values()) {
            for (Class<? extends Throwable> cause : c.causes) {
                if (cause.isInstance(error)) {
                    return c;
                }
            }
        }
        return FAILURE;
    }

    /** The code for how one training run of {@code ./nin train} ended. */
    public static ExitCode of(TrainingResult.Status status) {
        return switch (status) {
            case DIVERGED -> DIVERGED;
            case STALLED -> STALLED;
            // train has no pruning rule; a pruned run stopped on purpose, as a completed one.
            case COMPLETED, PRUNED -> OK;
        };
    }

    /** The exit-code list of {@code --help}, code to description, in code order. */
    public static Map<String, String> helpList() {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitCode c : values()) {
            list.put(Integer.toString(c.code), c.description);
        }
        return list;
    }

    /**
     * Sets a command's exit-code list from this enum (picocli's {@code exitCodeList} annotation
     * takes constants only); named as the {@code modelTransformer} of {@link NinCommand}.
     */
    public static final class HelpList implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            spec.usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(helpList());
            return spec;
        }
    }
}
