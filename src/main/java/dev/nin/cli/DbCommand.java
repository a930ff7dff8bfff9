package dev.nin.cli;

import dev.nin.store.Store;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nin db}: where the experiment store is and how to reach it. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The experiment store (PostgreSQL).",
        subcommands = {DbCommand.Url.class, DbCommand.Stop.class})
public class DbCommand {

    /** {@code nin db url}: JDBC URL and a psql command line; the password only with --show-password. */
    @Command(name = "url", mixinStandardHelpOptions = true,
            description = "Print how to connect psql or any SQL client (starts the embedded server if needed).")
    public static class Url implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Inject
        Store store;

        @Option(names = "--show-password", description = "Print the password too (it is hidden by default).")
        boolean showPassword;

        @Override
        public Integer call() {
            store.open();
            PrintWriter out = spec.commandLine().getOut();
            String url = showPassword ? store.jdbcUrl() : store.redactedUrl();
            String password = store.password().map(p -> showPassword ? p : "***").orElse("(none)");
            out.println("jdbc:     " + url);
            out.println("user:     " + store.user());
            out.println("password: " + password);
            java.net.URI uri = java.net.URI.create(store.jdbcUrl().substring("jdbc:".length()));
            String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            out.printf("psql:     psql -h %s -p %d -U %s %s%n", uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                    store.user(), database);
            if (store.isEmbedded()) {
                out.println("embedded: data in " + store.embeddedServer().dataDirectory() + ", log "
                        + store.embeddedServer().logFile() + "; it keeps running for the next nin; ./nin db stop stops it");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** {@code nin db stop}: stops the embedded server (no-op for an external database). */
    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the embedded PostgreSQL server.")
    public static class Stop implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Inject
        Store store;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (!store.isEmbedded()) {
                out.println("nin uses the external database at " + store.redactedUrl() + "; nothing to stop");
            } else if (store.embeddedServer().stop()) {
                out.println("stopped the embedded PostgreSQL of " + store.embeddedServer().dataDirectory());
            } else {
                out.println("the embedded PostgreSQL was not running");
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
