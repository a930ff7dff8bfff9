package dev.nin.cli;

import dev.nin.store.server.DatabaseLogins;
import dev.nin.store.server.DatabaseRoles;

import java.io.PrintWriter;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin db}: where the experiment store is, how to reach it, and the roles it needs. */
@Command(name = "db", mixinStandardHelpOptions = true, description = "The experiment store (PostgreSQL).",
        subcommands = {DbCommand.Url.class, DbCommand.Stop.class, DbCommand.SetupSql.class})
public class DbCommand {

    /** {@code nin db url}: JDBC URL and a psql command line; passwords only with --show-password. */
    @Command(name = "url", mixinStandardHelpOptions = true,
            description = "Print how to connect psql or any SQL client (starts the embedded server if needed).")
    public static class Url extends NinSubcommand {

        @Option(names = "--show-password", description = "Print the passwords too (they are hidden by default).")
        boolean showPassword;

        @Override
        protected ExitCode execute() {
            store.open();
            PrintWriter out = out();
            String jdbc = store.jdbcUrl();
            java.net.URI uri = java.net.URI.create(jdbc.substring("jdbc:".length()));
            String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            DatabaseLogins.Login owner = store.owner();
            out.println("jdbc:     " + (showPassword ? jdbc : store.redactedUrl()));
            out.println("user:     " + owner.user() + " (owner: records trials)");
            out.println("password: " + (showPassword ? owner.password() : "*** (--show-password prints it)"));
            out.printf("psql:     %spsql -h %s -p %d -U %s %s%n",
                    showPassword ? "PGPASSWORD=" + owner.password() + " " : "", uri.getHost(), port, owner.user(), database);
            if (store.isEmbedded()) {
                DatabaseLogins.Login reader = store.reader();
                out.printf("reader:   %s (read-only, as ./nin sql), password %s%n", reader.user(),
                        showPassword ? reader.password() : "***");
                out.println("embedded: data in " + store.embeddedServer().dataDirectory() + ", log "
                        + store.embeddedServer().logFile() + ", passwords in "
                        + store.embeddedServer().dataDirectory().resolveSibling("credentials")
                        + "; it keeps running for the next nin; ./nin db stop stops it");
            }
            return ExitCode.OK;
        }
    }

    /** {@code nin db setup-sql}: the roles and grants, as a psql script for an administrator. */
    @Command(name = "setup-sql", mixinStandardHelpOptions = true,
            description = "Print the psql script an administrator runs (as a superuser) to create nin's owner and "
                    + "read-only roles on the server NIN_DB_URL names; psql asks for their passwords.")
    public static class SetupSql extends NinSubcommand {

        @Option(names = "--passwords-from-variables", description = "Set the passwords from the psql variables "
                + "owner_password and reader_password (psql -v) instead of asking at psql's prompt: for init scripts.")
        boolean fromVariables;

        @Override
        protected ExitCode execute() {
            PrintWriter out = out();
            out.print(store.roles().psqlScript(fromVariables ? DatabaseRoles.Passwords.VARIABLES : DatabaseRoles.Passwords.PROMPT));
            return ExitCode.OK;
        }
    }

    /** {@code nin db stop}: stops the embedded server (no-op for an external database). */
    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the embedded PostgreSQL server.")
    public static class Stop extends NinSubcommand {

        @Override
        protected ExitCode execute() {
            PrintWriter out = out();
            if (!store.isEmbedded()) {
                out.println("nin uses the external database at " + store.redactedUrl() + "; nothing to stop");
            } else if (store.embeddedServer().stop()) {
                out.println("stopped the embedded PostgreSQL of " + store.embeddedServer().dataDirectory());
            } else {
                out.println("the embedded PostgreSQL was not running");
            }
            return ExitCode.OK;
        }
    }
}
