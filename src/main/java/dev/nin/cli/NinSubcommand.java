package dev.nin.cli;

import dev.nin.store.Store;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code nin} subcommand has: its picocli spec, the experiment store (injected, opened
 * only by what uses it) and the output it prints to. A subcommand parses its flags, calls the
 * engine, prints, and returns an {@link ExitCode}; exceptions map to codes in one place
 * ({@link ExitCode#of(Throwable)}, applied by {@link CommandLineSetup}).
 */
public abstract class NinSubcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Inject
    Store store;

    /** The command's standard output (picocli's, so tests can capture it). */
    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Does the command's work; exceptions propagate to the exit-code map. */
    protected abstract ExitCode execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return execute().code;
        } finally {
            out().flush();
        }
    }
}
