package dev.nin.cli;

import dev.nin.config.UsageException;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nin sql "SELECT …"}: query the experiment store as its read-only role. Nothing recorded can
 * be changed because the server refuses it (that role may only SELECT, see
 * {@link dev.nin.store.server.DatabaseRoles}), not because this command inspects the query; the one
 * statement per call rule is only for a clear output.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Run a read-only SQL query on the experiment store and print the result. It runs as a role "
                + "that may only read; one statement per call.")
public class SqlCommand extends NinSubcommand {

    /** Client-side limit too, beside the role's own statement_timeout. */
    static final int TIMEOUT_SECONDS = 60;

    @Parameters(paramLabel = "QUERY", description = "The SQL query, e.g. \"SELECT * FROM leaderboard\".")
    String query;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    ResultTable.Format format;

    @Override
    protected ExitCode execute() {
        if (query.isBlank()) {
            throw new UsageException("query: expected one SQL statement, found an empty one");
        }
        try (Connection connection = store.readOnlyConnection()) {
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(TIMEOUT_SECONDS);
                boolean rows = statement.execute(query);
                ResultTable table = null;
                if (rows) {
                    try (ResultSet result = statement.getResultSet()) {
                        table = ResultTable.of(result);
                    }
                }
                if (statement.getMoreResults() || statement.getUpdateCount() != -1) {
                    throw new UsageException("query: expected one statement, found several; run them one by one");
                }
                if (table == null) {
                    throw new UsageException("query: expected a statement that returns rows (SELECT, WITH, "
                            + "SHOW, EXPLAIN), found one that returns none");
                }
                table.print(out(), format);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            String message = store.redact(String.valueOf(e.getMessage()).replace("\n", " "));
            if ("42501".equals(e.getSQLState()) || "25006".equals(e.getSQLState())) {
                throw new UsageException("query: refused, ./nin sql may only read (" + message + ")", e);
            }
            throw new UsageException("query: " + message, e);
        }
        return ExitCode.OK;
    }
}
