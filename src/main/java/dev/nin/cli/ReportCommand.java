package dev.nin.cli;

import dev.nin.io.Redaction;
import dev.nin.store.queue.SweepStore;
import dev.nin.track.MlflowMirror;
import dev.nin.track.MlflowSync;

import dev.nin.report.SweepReport;
import dev.nin.store.query.ReportQuery;
import dev.nin.store.Store;
import dev.nin.store.query.TrialQuery;

import java.util.List;
import java.io.PrintWriter;
import java.nio.file.Path;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nin report SWEEP}: a Markdown report with PNG charts, every number from the store. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a sweep's report (Markdown and PNG charts) from the store.")
public class ReportCommand extends NinSubcommand {

    @Parameters(paramLabel = "SWEEP", description = "The sweep's name.")
    String sweep;

    @Option(names = "--out", paramLabel = "DIR", description = "Folder to write (default: reports/SWEEP).")
    Path out;

    @Inject
    SweepStore sweeps;

    @Inject
    ReportQuery reports;

    @Inject
    TrialQuery trials;

    @Inject
    dev.nin.store.query.SeedStatisticsQuery seeds;

    @picocli.CommandLine.Mixin
    ComparisonOptions comparison;

    @Inject
    MlflowMirror mirror;

    @Option(names = "--no-mlflow", description = "Do not log the report to the sweep's MLflow run (default: log it when"
            + " MLFLOW_TRACKING_URI is set).")
    boolean noMlflow;

    @Override
    protected ExitCode execute() throws Exception {
        Path folder = out != null ? out : Path.of("reports", sweep);
        SweepReport.Written written = SweepReport.write(reports, trials, seeds, sweep, folder, comparison.baseline,
                comparison.includeStuck);
        PrintWriter printer = out();
        printer.printf("report of sweep %s: %s and %d charts%n", sweep, written.markdown(), written.charts().size());
        printer.flush();
        if (!noMlflow && mirror.trackingUri().isPresent()) {
            String uri = mirror.trackingUri().get();
            long sweepId = sweeps.find(sweep).orElseThrow().id();
            try {
                int files = new MlflowSync(store, uri).uploadReport(sweepId, folder);
                printer.printf("logged to MLflow at %s: %d files under report/ of the sweep's run%n", Redaction.redact(uri, List.of()), files);
                dev.nin.track.MlflowUi.address(store, uri, "sweep", sweepId)
                        .ifPresent(a -> printer.printf("MLflow: sweep %s at %s%n", sweep, a));
            } catch (java.io.IOException e) {
                throw new SyncCommand.MlflowUnavailableException("MLflow at " + uri + ": " + e.getMessage() + "; the report is"
                        + " written in " + folder + ", run ./nin report " + sweep + " again to log it", e);
            }
            printer.flush();
        }
        return ExitCode.OK;
    }
}
