package dev.nin.cli;

import dev.nin.config.UsageException;
import static dev.nin.cli.ResultTable.Column.number;
import static dev.nin.cli.ResultTable.Column.text;

import dev.nin.store.query.RunsQuery;

import java.util.Arrays;
import java.util.List;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin runs}: the most recent trials with their state and last epoch's figures. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List recent trials, newest first.")
public class RunsCommand extends NinSubcommand {

    /** The listing's columns, as scripts reading --format csv or json know them. */
    private static final List<ResultTable.Column> COLUMNS = List.of(number("trial"), text("sweep"), text("state"), text("variant"),
            number("lr"), number("batch"), number("resize"), number("seed"), text("epochs"), number("loss"), number("val_acc"),
            number("test_acc"), text("device"), text("started"));

    @Inject
    RunsQuery runs;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "How many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|json",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    ResultTable.Format format;

    @Override
    protected ExitCode execute() {
        if (limit < 1) {
            throw new UsageException("limit: expected 1 or more, found " + limit);
        }
        ResultTable.of(COLUMNS, runs.recent(limit), r -> Arrays.asList(r.trial(), r.sweep(), r.state(), r.variant(),
                r.learningRate(), r.batchSize(), r.resize(), r.seed(), r.epochs(), r.trainLoss(), r.validationAccuracy(),
                r.testAccuracy(), r.device(), r.started())).print(out(), format);
        return ExitCode.OK;
    }
}
