package dev.nin.cli;

import dev.nin.io.Redaction;
import dev.nin.store.server.DatabaseLogins;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import picocli.CommandLine;

/** Configures picocli once: errors become one clear line and an exit code from {@link ExitCode}. */
@ApplicationScoped
public class CommandLineSetup {

    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory, DatabaseLogins logins) {
        return factory.create()
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((error, commandLine, parseResult) -> {
                    String command = commandLine.getCommandSpec().qualifiedName();
                    // Every message passes the one redaction: URLs, driver causes and config values may hold a password.
                    List<String> secrets = logins.secrets();
                    commandLine.getErr().println(command + ": error: " + Redaction.redact(message(error), secrets));
                    if (ExitCode.of(error).code == ExitCode.FAILURE.code) {
                        commandLine.getErr().print(Redaction.stackTrace(error, secrets));
                    }
                    commandLine.getErr().flush();
                    return ExitCode.of(error).code;
                });
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.toString() : error.getMessage();
    }
}
