package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ./nin show TRIAL} on a completed trial whose every field was written by hand in SQL, so each
 * line's expected text is known without nin: hyperparameters, data options, device, worker, times,
 * provenance, config and weights SHA-256, resource profile and the per-epoch curve with bars (README,
 * "./nin show TRIAL"); and on an unknown id: exit code 2 and one line.
 */
class ShowIT {

    private static final String CONFIG_SHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String WEIGHTS_SHA = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("show-it-home");
        port = NinProcess.freePort();
        // A zone far from UTC: show must print the stored instants in UTC whatever the process's zone.
        nin = NinProcess.withHome(home, port).env("TZ", "Asia/Tokyo");
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopStore() throws Exception {
        nin.run("db", "stop");
    }

    @Test
    void aCompletedTrialShowsEveryDocumentedField() throws Exception {
        long id;
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("INSERT INTO trials (configuration, state, variant, seed, learning_rate, epochs, batch_size,"
                    + " resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size, test_limit, config, config_hash,"
                    + " device, worker, attempt, started_at, heartbeat_at, ended_at, weights_sha256, git_commit, nin_version, djl_version,"
                    + " tensorflow_version, java_version, compute_precision) VALUES ('by hand', 'completed', 'no-1x1', 7, 0.05, 2, 64, 67,"
                    + " 0.9, true, 0.001,"
                    + " 0.25, 256, 64, 32, '{}', '" + CONFIG_SHA + "', 'cpu()', 'host-a:4242', 1, '2026-03-01 10:00:00+00',"
                    + " '2026-03-01 10:01:00+00', '2026-03-01 10:01:30+00', '" + WEIGHTS_SHA + "', 'abc1234', '1.2.3', '0.30.0', '2.16.1',"
                    + " '17.0.9', 'bf16') RETURNING id")) {
                r.next();
                id = r.getLong(1);
            }
            // 123,456,789 FLOPs = 0.123 GFLOP; 370,370,367 = 0.370 GFLOP; 3 MiB, 1.5 KiB, 2 GiB, 1 MiB, 512 KiB, 2 KiB.
            s.execute("INSERT INTO resource_profiles (trial_id, parameters, multiply_adds, forward_flops, training_step_flops, batch_size,"
                    + " training_memory_bytes_estimated, prediction_memory_bytes_estimated, training_memory_bytes_measured,"
                    + " prediction_memory_bytes_measured, training_memory_bytes_measured_batch1, prediction_memory_bytes_measured_batch1,"
                    + " memory_measured_by) VALUES (" + id + ", 1546058, 61728394, 123456789, 370370367, 64, 3145728, 1536,"
                    + " 2147483648, 524288, 1048576, 2048, 'by-hand probe')");
            s.execute("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy, validation_accuracy, test_accuracy,"
                    + " images_per_second, train_seconds, seconds) VALUES (" + id + ", 1, 2.0, 0.25, 0.5, 0.75, 1000.0, 1, 1), (" + id
                    + ", 2, 1.0, 0.5, NULL, 0.8, 1234.5, 1, 1)");
        }
        NinProcess.Result show = nin.run("show", Long.toString(id));
        assertEquals(0, show.exitCode(), show.all());
        assertEquals("", show.err());
        List<String> lines = show.out().lines().toList();
        assertEquals(14, lines.size(), show.out());
        assertEquals("trial " + id + ": completed", lines.get(0));
        assertEquals("  variant no-1x1, lr 0.05, epochs 2, batch 64, resize 67, seed 7", lines.get(1));
        assertEquals("  momentum 0.9 (Nesterov), weight decay 0.001, dropout 0.25", lines.get(2));
        assertEquals("  data: train limit 256, validation 64, test limit 32 (0 = all)", lines.get(3));
        assertEquals("  device cpu(), precision bf16, worker host-a:4242, started 2026-03-01T10:00:00Z, ended 2026-03-01T10:01:30Z",
                lines.get(4));
        assertEquals("  provenance: nin 1.2.3, git abc1234, DJL 0.30.0, TensorFlow 2.16.1, Java 17.0.9", lines.get(5));
        assertEquals("  config sha256 " + CONFIG_SHA, lines.get(6));
        assertEquals("  weights sha256 " + WEIGHTS_SHA, lines.get(7));
        assertEquals("  parameters 1,546,058; 0.123 GFLOP forward, 0.370 GFLOP per training image; memory estimate: training 3.0 MiB,"
                + " prediction 1.5 KiB", lines.get(8));
        assertEquals("  memory measured (by-hand probe): training 2.00 GiB (batch 1: 1.0 MiB), prediction 512.0 KiB (batch 1: 2.0 KiB)",
                lines.get(9));
        assertEquals("", lines.get(10));
        assertEquals("epoch     loss train acc  val acc test acc    img/s  accuracy (0..1)        loss (0..max)", lines.get(11));
        // Bars of 20: accuracy is the test accuracy (0.75 -> 15 #, 0.8 -> 16 #), loss against the largest (2.0 -> 20 =, 1.0 -> 10 =).
        assertEquals("    1   2.0000     0.250    0.500    0.750   1000.0  |###############     | |====================|", lines.get(12));
        assertEquals("    2   1.0000     0.500        -    0.800   1234.5  |################    | |==========          |", lines.get(13));

        // runs: the start to the minute, in UTC too (the process is in Tokyo, 9 hours ahead).
        NinProcess.Result runs = nin.run("runs", "--format", "csv");
        assertEquals(0, runs.exitCode(), runs.all());
        assertTrue(runs.out().lines().anyMatch(l -> l.startsWith(id + ",") && l.endsWith(",cpu(),2026-03-01 10:00Z")), runs.out());
    }

    @Test
    void anUnknownTrialIsOneLineAndExitCode2() throws Exception {
        NinProcess.Result show = nin.run("show", "987654");
        assertEquals(2, show.exitCode(), show.all());
        assertEquals("", show.out());
        assertEquals("nin show: error: trial: no trial 987654; ./nin runs lists them\n", show.err());
    }
}
