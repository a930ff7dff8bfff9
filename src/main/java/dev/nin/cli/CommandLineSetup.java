package dev.nin.cli;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import picocli.CommandLine;

/** Configures picocli once: errors become one clear line and an exit code from {@link ExitCodes}. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return factory.create()
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((error, commandLine, parseResult) -> {
                    String command = commandLine.getCommandSpec().qualifiedName();
                    commandLine.getErr().println(command + ": error: " + message(error));
                    if (ExitCodes.of(error) == ExitCodes.FAILURE) {
                        error.printStackTrace(commandLine.getErr());
                    }
                    commandLine.getErr().flush();
                    return ExitCodes.of(error);
                });
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.toString() : error.getMessage();
    }
}
