package dev.nin.cli;

import dev.nin.config.UsageException;
import dev.nin.io.Units;
import dev.nin.model.ComputePrecision;
import dev.nin.store.query.TrialQuery;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code nin show TRIAL}: one trial's configuration, provenance, resources and curve. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show one trial: configuration, provenance, resource profile and its per-epoch curve as text.")
public class ShowCommand extends NinSubcommand {

    private static final int BAR_WIDTH = 20;

    @Inject
    TrialQuery trials;

    @Inject
    dev.nin.track.MlflowMirror mirror;

    @Parameters(paramLabel = "TRIAL", description = "Trial id (see ./nin runs).")
    long trialId;

    @Override
    protected ExitCode execute() {
        PrintWriter out = out();
        TrialQuery.Detail detail = trials.detail(trialId)
                .orElseThrow(() -> new UsageException("trial: no trial " + trialId + "; ./nin runs lists them"));
        TrialQuery.Trial t = detail.trial();
        TrialQuery.Resources r = detail.resources();
        out.printf(Locale.ROOT, "trial %d: %s%n", t.id(), t.state());
        out.printf(Locale.ROOT, "  variant %s, lr %s, epochs %d, batch %d, resize %d, seed %d%n",
                t.variant(), t.learningRate(), t.epochs(), t.batchSize(), t.resize(), t.seed());
        out.printf(Locale.ROOT, "  momentum %s%s, weight decay %s, dropout %s%n", t.momentum(),
                t.nesterov() ? " (Nesterov)" : "", t.weightDecay(), t.dropout());
        out.printf(Locale.ROOT, "  data: train limit %d, validation %d, test limit %d (0 = all)%n",
                t.trainLimit(), t.validationSize(), t.testLimit());
        out.printf(Locale.ROOT, "  device %s, precision %s, worker %s, started %s, ended %s%n", t.device(),
                t.device() == null ? null : ComputePrecision.recordedKey(t.computePrecision()), t.worker(),
                utc(t.startedAt()), utc(t.endedAt()));
        if (t.error() != null) {
            out.println("  error: " + t.error());
        }
        if (t.divergedAt() != null) {
            out.println("  diverged at " + t.divergedAt());
        }
        if (t.stoppedAt() != null) {
            out.println("  stopped at " + t.stoppedAt());
        }
        if (t.retryOf() != null) {
            out.println("  retries stalled trial " + t.retryOf() + " with the next seed");
        }
        if (t.suggestion() != null) {
            TrialQuery.Suggestion g = t.suggestion();
            out.printf(Locale.ROOT, "  tpe: ask %d of its sweep, %s%s%n", g.askIndex() + 1, g.phase(), g.phase().equals("start-up")
                    ? " (a random draw)" : String.format(Locale.ROOT, ", computed from %d earlier trials (%d good, %d running);"
                            + " SELECT * FROM suggestion_history WHERE trial_id = %d", g.used(), g.good(), g.pending(), t.id()));
        }
        out.printf(Locale.ROOT, "  provenance: nin %s, git %s, DJL %s, TensorFlow %s, Java %s%n",
                t.ninVersion(), t.gitCommit(), t.djlVersion(), t.tensorflowVersion(), t.javaVersion());
        out.printf(Locale.ROOT, "  config sha256 %s%n", t.configHash());
        mirror.address("trial", t.id()).ifPresent(a -> out.println("  MLflow: " + a));
        if (t.weightsSha256() != null) {
            out.printf(Locale.ROOT, "  weights sha256 %s%n", t.weightsSha256());
        }
        out.printf(Locale.ROOT, "  parameters %,d; %.3f GFLOP forward, %.3f GFLOP per training image; "
                + "memory estimate: training %s, prediction %s%n", r.parameters(),
                r.forwardFlops() / 1e9, r.trainingStepFlops() / 1e9,
                Units.bytes(r.trainingMemoryEstimated()), Units.bytes(r.predictionMemoryEstimated()));
        if (r.memoryMeasuredBy() != null) {
            out.printf(Locale.ROOT, "  memory measured (%s): training %s (batch 1: %s), prediction %s (batch 1: %s)%n",
                    r.memoryMeasuredBy(), Units.bytes(r.trainingMemoryMeasured()), Units.bytes(r.trainingMemoryMeasuredBatch1()),
                    Units.bytes(r.predictionMemoryMeasured()), Units.bytes(r.predictionMemoryMeasuredBatch1()));
        }
        curve(trials.epochs(trialId), out);
        return ExitCode.OK;
    }

    private static void curve(List<TrialQuery.Epoch> rows, PrintWriter out) {
        out.println();
        if (rows.isEmpty()) {
            out.println("no epoch recorded yet");
            return;
        }
        double maxLoss = rows.stream().mapToDouble(TrialQuery.Epoch::trainLoss).max().orElse(1);
        out.printf("%5s %8s %9s %8s %8s %8s  %-22s %s%n", "epoch", "loss", "train acc", "val acc", "test acc", "img/s",
                "accuracy (0..1)", "loss (0..max)");
        for (TrialQuery.Epoch row : rows) {
            // Test accuracy when measured, else training accuracy.
            double acc = Double.isNaN(row.testAccuracy()) ? row.trainAccuracy() : row.testAccuracy();
            out.printf(Locale.ROOT, "%5d %8.4f %9s %8s %8s %8.1f  |%s| |%s|%n", row.epoch(), row.trainLoss(),
                    Units.fraction(row.trainAccuracy()), Units.fraction(row.validationAccuracy()),
                    Units.fraction(row.testAccuracy()), row.imagesPerSecond(), bar('#', acc),
                    bar('=', row.trainLoss() / maxLoss));
        }
    }

    /** An instant as ISO-8601 in UTC to the second ("2026-12-03T06:53:28Z"), "-" when not yet. */
    private static String utc(Instant at) {
        return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static String bar(char c, double fraction) {
        int n = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
        return String.valueOf(c).repeat(n) + " ".repeat(BAR_WIDTH - n);
    }
}
