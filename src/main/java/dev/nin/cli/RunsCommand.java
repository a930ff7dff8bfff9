package dev.nin.cli;

import dev.nin.store.Store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code nin runs}: the most recent trials with their state and last epoch's figures. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List recent trials, newest first.")
public class RunsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Inject
    Store store;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "How many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    ResultTable.Format format;

    @Override
    public Integer call() throws SQLException {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: expected 1 or more, found " + limit);
        }
        try (Connection c = store.connection();
                PreparedStatement s = c.prepareStatement("""
                        SELECT trial_id AS trial, sweep, state, variant, learning_rate AS lr, batch_size AS batch, resize,
                               seed, epochs_completed || '/' || epochs AS epochs, round(train_loss::numeric, 4) AS loss,
                               round(validation_accuracy::numeric, 4) AS val_acc, round(test_accuracy::numeric, 4) AS test_acc,
                               device, to_char(started_at, 'YYYY-MM-DD HH24:MI') AS started
                        FROM trial_results ORDER BY trial_id DESC LIMIT ?""")) {
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
                ResultTable.of(r).print(spec.commandLine().getOut(), format);
            }
        }
        return ExitCodes.OK;
    }
}
