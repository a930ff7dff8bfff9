package dev.nin.cli;

import dev.nin.store.Store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nin sql "SELECT …"}: query the experiment store; read-only, so nothing recorded can be changed. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Run a read-only SQL query on the experiment store and print the result.")
public class SqlCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Inject
    Store store;

    @Parameters(paramLabel = "QUERY", description = "The SQL query, e.g. \"SELECT * FROM leaderboard\".")
    String query;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    ResultTable.Format format;

    @Override
    public Integer call() {
        try (Connection connection = store.connection()) {
            connection.setReadOnly(true);
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                if (!statement.execute(query)) {
                    throw new IllegalArgumentException("query: expected a statement that returns rows (SELECT, WITH, "
                            + "SHOW, EXPLAIN), found one that returns none");
                }
                try (ResultSet result = statement.getResultSet()) {
                    ResultTable.of(result).print(spec.commandLine().getOut(), format);
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new IllegalArgumentException("query: " + e.getMessage().replace("\n", " "), e);
        }
        return ExitCodes.OK;
    }
}
