package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.io.Redaction;
import dev.nin.store.Store;
import dev.nin.store.queue.SweepStore;
import dev.nin.track.MlflowMirror;
import dev.nin.track.MlflowSync;

import java.util.List;
import java.io.PrintWriter;
import java.util.Optional;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nin sync}: bring MLflow's runs to what the store says, read back run by run. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Bring MLflow's runs to what the store says: read each run back, send what differs, replace a run"
                + " MLflow cannot correct; safe to repeat.")
public class SyncCommand extends NinSubcommand {

    @Inject
    SweepStore sweeps;

    @Inject
    MlflowMirror mirror;

    @Option(names = "--to", paramLabel = "URI", description = "Tracking server (default: MLFLOW_TRACKING_URI).")
    String to;

    @Option(names = "--sweep", paramLabel = "NAME", description = "Only this sweep (default: everything).")
    String sweepName;

    @Override
    protected ExitCode execute() throws Exception {
        PrintWriter out = out();
        String uri = to != null ? to : mirror.trackingUri().orElseThrow(() -> new UsageException(
                "MLflow: no tracking server; set MLFLOW_TRACKING_URI or pass --to URI"));
        if (!uri.matches("https?://.+")) {
            throw new UsageException("--to: expected an http(s) URL of an MLflow tracking server, found '" + uri + "'");
        }
        Optional<Long> sweepId = Optional.empty();
        if (sweepName != null) {
            SweepStore.StoredSweep sweep = sweeps.find(sweepName).orElseThrow(() -> new UsageException(
                    "sweep: no sweep named '" + sweepName + "' in " + store.redactedUrl()));
            sweepId = Optional.of(sweep.id());
        }
        store.open();
        MlflowSync sync = new MlflowSync(store, uri);
        MlflowSync.Sent sent;
        try {
            sync.ping();
            sent = sync.syncAll(sweepId);
        } catch (java.io.IOException e) {
            throw new MlflowUnavailableException("MLflow at " + uri + ": " + e.getMessage()
                    + "; nothing is lost, run ./nin sync again when it is reachable", e);
        }
        out.printf("MLflow at %s: %s%n", Redaction.redact(uri, List.of()), sent.describe());
        if (sweepId.isPresent()) {
            dev.nin.track.MlflowUi.address(store, uri, "sweep", sweepId.get())
                    .ifPresent(a -> out.printf("MLflow: sweep %s at %s%n", sweepName, a));
        }
        return ExitCode.OK;
    }

    /** MLflow could not be reached or refused a request. */
    public static final class MlflowUnavailableException extends RuntimeException {
        MlflowUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
