package dev.nin.cli;

import dev.nin.report.SweepReport;
import dev.nin.store.Store;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nin report SWEEP}: a Markdown report with PNG charts, every number from the store. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a sweep's report (Markdown and PNG charts) from the store.")
public class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Inject
    Store store;

    @Parameters(paramLabel = "SWEEP", description = "The sweep's name.")
    String sweep;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder to write (default: reports/SWEEP).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path folder = out != null ? out : Path.of("reports", sweep);
        SweepReport.Written written;
        try (Connection c = store.connection()) {
            written = SweepReport.write(c, sweep, folder);
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("report of sweep %s: %s and %d charts%n", sweep, written.markdown(), written.charts().size());
        printer.flush();
        return ExitCodes.OK;
    }
}
