package dev.nin.cli;

import dev.nin.report.Units;
import dev.nin.store.Store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import jakarta.inject.Inject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code nin show TRIAL}: one trial's configuration, provenance, resources and curve. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show one trial: configuration, provenance, resource profile and its per-epoch curve as text.")
public class ShowCommand implements Callable<Integer> {

    private static final int BAR_WIDTH = 20;

    @Spec
    CommandSpec spec;

    @Inject
    Store store;

    @Parameters(paramLabel = "TRIAL", description = "Trial id (see ./nin runs).")
    long trialId;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        try (Connection c = store.connection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT t.id, t.state, t.variant, t.learning_rate, t.epochs, t.batch_size, t.resize, t.seed, t.momentum,
                           t.nesterov, t.weight_decay, t.dropout, t.train_limit, t.validation_size, t.test_limit, t.device,
                           t.worker, t.started_at, t.ended_at, t.error, t.diverged_at, t.stopped_at, t.retry_of, t.config_hash, t.git_commit,
                           t.nin_version, t.djl_version, t.tensorflow_version, t.java_version, t.weights_sha256,
                           r.parameters, r.forward_flops, r.training_step_flops, r.training_memory_bytes_estimated,
                           r.prediction_memory_bytes_estimated, r.training_memory_bytes_measured,
                           r.prediction_memory_bytes_measured, r.training_memory_bytes_measured_batch1,
                           r.prediction_memory_bytes_measured_batch1, r.memory_measured_by
                    FROM trials t LEFT JOIN resource_profiles r ON r.trial_id = t.id WHERE t.id = ?""")) {
                s.setLong(1, trialId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalArgumentException("trial: no trial " + trialId + "; ./nin runs lists them");
                    }
                    out.printf(Locale.ROOT, "trial %d: %s%n", r.getLong("id"), r.getString("state"));
                    out.printf(Locale.ROOT, "  variant %s, lr %s, epochs %d, batch %d, resize %d, seed %d%n",
                            r.getString("variant"), r.getDouble("learning_rate"), r.getInt("epochs"), r.getInt("batch_size"),
                            r.getInt("resize"), r.getLong("seed"));
                    out.printf(Locale.ROOT, "  momentum %s%s, weight decay %s, dropout %s%n", r.getDouble("momentum"),
                            r.getBoolean("nesterov") ? " (Nesterov)" : "", r.getDouble("weight_decay"), r.getDouble("dropout"));
                    out.printf(Locale.ROOT, "  data: train limit %d, validation %d, test limit %d (0 = all)%n",
                            r.getInt("train_limit"), r.getInt("validation_size"), r.getInt("test_limit"));
                    out.printf(Locale.ROOT, "  device %s, worker %s, started %s, ended %s%n", r.getString("device"),
                            r.getString("worker"), r.getObject("started_at"), r.getObject("ended_at"));
                    if (r.getString("error") != null) {
                        out.println("  error: " + r.getString("error"));
                    }
                    if (r.getString("diverged_at") != null) {
                        out.println("  diverged at " + r.getString("diverged_at"));
                    }
                    if (r.getString("stopped_at") != null) {
                        out.println("  stopped at " + r.getString("stopped_at"));
                    }
                    if (r.getObject("retry_of") != null) {
                        out.println("  retries stalled trial " + r.getLong("retry_of") + " with the next seed");
                    }
                    out.printf(Locale.ROOT, "  provenance: nin %s, git %s, DJL %s, TensorFlow %s, Java %s%n",
                            r.getString("nin_version"), r.getString("git_commit"), r.getString("djl_version"),
                            r.getString("tensorflow_version"), r.getString("java_version"));
                    out.printf(Locale.ROOT, "  config sha256 %s%n", r.getString("config_hash"));
                    if (r.getString("weights_sha256") != null) {
                        out.printf(Locale.ROOT, "  weights sha256 %s%n", r.getString("weights_sha256"));
                    }
                    out.printf(Locale.ROOT, "  parameters %,d; %.3f GFLOP forward, %.3f GFLOP per training image; "
                            + "memory estimate: training %s, prediction %s%n", r.getLong("parameters"),
                            r.getLong("forward_flops") / 1e9, r.getLong("training_step_flops") / 1e9,
                            Units.bytes(r.getLong("training_memory_bytes_estimated")),
                            Units.bytes(r.getLong("prediction_memory_bytes_estimated")));
                    if (r.getString("memory_measured_by") != null) {
                        out.printf(Locale.ROOT, "  memory measured (%s): training %s (batch 1: %s), prediction %s (batch 1: %s)%n",
                                r.getString("memory_measured_by"), Units.bytes(r.getLong("training_memory_bytes_measured")),
                                Units.bytes(r.getLong("training_memory_bytes_measured_batch1")),
                                Units.bytes(r.getLong("prediction_memory_bytes_measured")),
                                Units.bytes(r.getLong("prediction_memory_bytes_measured_batch1")));
                    }
                }
            }
            curve(c, out);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void curve(Connection c, PrintWriter out) throws SQLException {
        List<double[]> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("""
                SELECT epoch, train_loss, train_accuracy, coalesce(validation_accuracy, 'NaN'), coalesce(test_accuracy, 'NaN'),
                       images_per_second FROM epoch_metrics WHERE trial_id = ? ORDER BY epoch""")) {
            s.setLong(1, trialId);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    rows.add(new double[] {r.getInt(1), r.getDouble(2), r.getDouble(3), r.getDouble(4), r.getDouble(5),
                        r.getDouble(6)});
                }
            }
        }
        out.println();
        if (rows.isEmpty()) {
            out.println("no epoch recorded yet");
            return;
        }
        double maxLoss = rows.stream().mapToDouble(r -> r[1]).max().orElse(1);
        out.printf("%5s %8s %9s %8s %8s %8s  %-22s %s%n", "epoch", "loss", "train acc", "val acc", "test acc", "img/s",
                "accuracy (0..1)", "loss (0..max)");
        for (double[] row : rows) {
            // Test accuracy when measured, else training accuracy.
            double acc = Double.isNaN(row[4]) ? row[2] : row[4];
            out.printf(Locale.ROOT, "%5d %8.4f %9s %8s %8s %8.1f  |%s| |%s|%n", (int) row[0], row[1],
                    Units.fraction(row[2]), Units.fraction(row[3]), Units.fraction(row[4]), row[5], bar('#', acc),
                    bar('=', row[1] / maxLoss));
        }
    }

    private static String bar(char c, double fraction) {
        int n = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
        return String.valueOf(c).repeat(n) + " ".repeat(BAR_WIDTH - n);
    }
}
