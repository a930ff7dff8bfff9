package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import dev.nin.track.MlflowServer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A report from a small real sweep: its numbers are the store's, its charts decode. */
class ReportIT {

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void runASmallSweep() throws Exception {
        home = StoreIT.fresh("report-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        Path file = home.resolve("small.yaml");
        // Batch-normalised variants: they leave the ln 10 plateau within 16 steps, so every chart
        // has points and every configuration a mean and an interval (without, all 8 trials are stuck).
        Files.writeString(file, """
                name: small
                models:
                  bn-no-1x1: {from: no-1x1, batch_norm: true}
                  bn-single-1x1: {from: single-1x1, batch_norm: true}
                base: {resize: 67, epochs: 2, batch: 64, momentum: 0.9}
                data: {train_limit: 1024, validation: 64, test_limit: 64}
                variants: [bn-no-1x1, bn-single-1x1]
                axes:
                  lr: [0.02, 0.05]
                seeds: [1, 2]
                """);
        NinProcess.Result sweep = nin.run("sweep", file.toString(), "--skip-estimate");
        assertEquals(0, sweep.exitCode(), sweep.all());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    @Test
    void theReportsNumbersAreTheStoresAndItsChartsDecode() throws Exception {
        Path out = home.resolve("report");
        NinProcess.Result result = nin.run("report", "small", "--out", out.toString());
        assertEquals(0, result.exitCode(), result.all());
        String markdown = Files.readString(out.resolve("report.md"));
        int groups = 0;
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT configuration, trials, stuck, validation_accuracy_mean, validation_accuracy_std,"
                        + " test_accuracy_mean, test_accuracy_std FROM seed_statistics WHERE sweep = 'small'")) {
            while (r.next()) {
                String row = String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |", r.getString(1), r.getInt(2),
                        r.getLong(3) == 0 ? "none stuck" : r.getLong(3) + " of " + r.getInt(2) + " stuck",
                        meanStd((Double) r.getObject(4), (Double) r.getObject(5)), meanStd((Double) r.getObject(6), (Double) r.getObject(7)));
                assertTrue(markdown.contains(row), "report lacks " + row + "\n" + markdown);
                groups++;
            }
        }
        assertEquals(4, groups, "two variants x two learning rates");
        try (Connection c = TestDb.reader(home, port);
                java.sql.PreparedStatement s = c.prepareStatement(TestDb.DIFFERENCES)) {
            s.setString(1, "small");
            s.setString(2, "bn-no-1x1 lr=0.02 epochs=2 batch=64 resize=67 momentum=0.9");
            ResultSet r = s.executeQuery();
            int differences = 0;
            while (r.next()) {
                String row = TestDb.differenceRow(r);
                assertTrue(markdown.contains(row), "report lacks " + row + "\n" + markdown);
                differences++;
            }
            assertEquals(6, differences, "three configurations against the first trial's, in two metrics");
        }
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT DISTINCT variant, parameters, training_memory_bytes_estimated / 1048576.0,"
                        + " training_memory_bytes_measured / 1048576.0 FROM resource_usage WHERE sweep = 'small'")) {
            int networks = 0;
            while (r.next()) {
                String row = String.format(Locale.ROOT, "| %s | 67 | 64 | %,d |", r.getString(1), r.getLong(2));
                assertTrue(markdown.contains(row), "report lacks " + row + "\n" + markdown);
                String memory = String.format(Locale.ROOT, "| %.1f | %.1f |", r.getDouble(3), r.getDouble(4));
                assertTrue(markdown.contains(memory), "report lacks " + memory + "\n" + markdown);
                networks++;
            }
            assertEquals(2, networks);
        }
        // The best-so-far curve: one row per ended trial, the last one's best the best validation accuracy.
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), (SELECT max(validation_accuracy) FROM trial_results"
                        + " WHERE sweep = 'small' AND state = 'completed') FROM best_so_far WHERE sweep = 'small'")) {
            r.next();
            assertEquals(8, r.getInt(1), "every ended trial is a point of the curve");
            String best = String.format(Locale.ROOT, " | %.4f |", r.getDouble(2));
            String section = markdown.substring(markdown.indexOf("## Best so far"), markdown.indexOf("## Charts"));
            assertTrue(section.lines().anyMatch(l -> l.startsWith("| 8 | ") && l.endsWith(best)),
                    "the curve's 8th row ends at the best," + best + "\n" + section);
        }
        assertTrue(markdown.contains("## Best so far"), markdown);
        for (String chart : new String[] {"accuracy-by-configuration.png", "accuracy-vs-parameters.png", "accuracy-vs-flops.png",
            "lr-vs-accuracy.png", "best-so-far.png", "cost-by-network.png"}) {
            assertNotNull(ImageIO.read(out.resolve(chart).toFile()), chart + " decodes");
            assertTrue(markdown.contains("(" + chart + ")"), chart + " is in the report");
        }
        try (var files = Files.list(out)) {
            assertEquals(8, files.filter(p -> p.getFileName().toString().startsWith("curves-")).count());
        }
    }

    /**
     * docs/results/export.sh on the small sweep: the files a results page quotes, with the store's
     * trials and configurations and the sweep file's SHA-256; run again while the store is
     * unreachable (its first query fails), or while git fails (a value of provenance.txt, the last
     * file written), it fails and leaves the first export byte for byte, with no staging folder behind.
     */
    @Test
    void exportShWritesWhatAResultsPageQuotesOrNothing() throws Exception {
        Path results = home.resolve("results");
        String baseline;
        List<String> trials = new java.util.ArrayList<>();
        List<String> configurations = new java.util.ArrayList<>();
        try (Connection c = TestDb.reader(home, port); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT t.id FROM trials t JOIN sweeps w ON w.id = t.sweep_id"
                    + " WHERE w.name = 'small' ORDER BY t.id")) {
                while (r.next()) {
                    trials.add(Long.toString(r.getLong(1)));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT DISTINCT configuration FROM trials t JOIN sweeps w ON w.id = t.sweep_id"
                    + " WHERE w.name = 'small' ORDER BY configuration")) {
                while (r.next()) {
                    configurations.add(r.getString(1));
                }
            }
            baseline = configurations.get(0);
        }
        // The trials' commit is the launcher's: -dirty when this checkout has edits. A trial from a
        // modified tree is refused, and nothing is written; from a committed one it exports.
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE trials SET git_commit = '0123456789abcdef0123456789abcdef01234567-dirty'");
        }
        Export dirty = export(results, baseline, Map.of());
        assertEquals(3, dirty.exitCode(), dirty.output());
        assertTrue(dirty.output().contains("trials ran on a modified tree"), dirty.output());
        assertFalse(Files.exists(results.resolve("small")), "nothing written");
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE trials SET git_commit = '0123456789abcdef0123456789abcdef01234567'");
        }
        Export first = export(results, baseline, Map.of());
        assertEquals(0, first.exitCode(), first.output());
        Path out = results.resolve("small");
        assertEquals(trials, column(out.resolve("trials.csv"), 0), "one row per trial of the sweep, by id");
        assertEquals(configurations, column(out.resolve("statistics.csv"), 0));
        List<String> compared = column(out.resolve("differences.csv"), 1);
        assertFalse(compared.isEmpty());
        assertTrue(compared.stream().allMatch(c -> configurations.contains(c) && !c.equals(baseline)), compared.toString());
        assertTrue(column(out.resolve("differences.csv"), 2).stream().allMatch(baseline::equals), "against the named baseline");
        String provenance = Files.readString(out.resolve("provenance.txt"));
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(home.resolve("small.yaml"))));
        assertTrue(provenance.contains("sweep file sha256: " + sha + "\n"), provenance);
        assertTrue(provenance.contains("precision: fp32\n") && provenance.contains("wall time: 3 min\n"), provenance);
        assertFalse(Files.exists(out.resolve("search.csv")), "not a TPE search");
        // The page's charts come from the same export, named by configuration and seed.
        assertNotNull(ImageIO.read(out.resolve("accuracy-by-configuration.png").toFile()));
        try (var files = Files.list(out)) {
            assertEquals(8, files.filter(f -> f.getFileName().toString().matches("curves-.*-seed-[0-9]+(-trial-[0-9]+)?\\.png"))
                    .count());
        }

        java.util.Map<String, byte[]> before = new java.util.TreeMap<>();
        try (var files = Files.list(out)) {
            for (Path f : files.toList()) {
                before.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        Path failingGit = Files.createDirectories(home.resolve("failing-git"));
        Files.writeString(failingGit.resolve("git"), "#!/bin/sh\necho 'git: simulated failure' >&2\nexit 1\n");
        failingGit.resolve("git").toFile().setExecutable(true);
        List<Map<String, String>> failures = List.of(Map.of("NIN_DB_URL", "jdbc:postgresql://127.0.0.1:1/nin"),
                Map.of("PATH", failingGit + ":" + System.getenv("PATH")));
        for (Map<String, String> failure : failures) {
            Export failed = export(results, baseline, failure);
            assertTrue(failed.exitCode() != 0, failure + ": " + failed.output());
            try (var files = Files.list(out)) {
                for (Path f : files.toList()) {
                    assertArrayEquals(before.get(f.getFileName().toString()), Files.readAllBytes(f), failure + ": " + f);
                }
            }
            try (var files = Files.list(out)) {
                assertEquals(before.size(), files.count());
            }
            try (var left = Files.list(results)) {
                assertEquals(List.of("small"), left.map(p -> p.getFileName().toString()).toList(), "no staging folder left");
            }
        }
    }

    private record Export(int exitCode, String output) {}

    private static Export export(Path results, String baseline, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "docs/results/export.sh", "small", baseline, "3 min")
                .redirectErrorStream(true);
        builder.environment().remove("NIN_DB_URL");
        builder.environment().put("NIN_HOME", home.toString());
        builder.environment().put("NIN_DB_EMBEDDED_PORT", Integer.toString(port));
        builder.environment().put("NIN_RESULTS_DIR", results.toString());
        builder.environment().put("NIN_SWEEP_FILE", home.resolve("small.yaml").toString());
        builder.environment().putAll(env);
        Path output = Files.createTempFile("export", ".txt");
        Process p = builder.redirectOutput(output.toFile()).start();
        boolean ended = p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES);
        p.destroyForcibly();
        assertTrue(ended, "export.sh still running after 5 minutes: " + Files.readString(output));
        return new Export(p.exitValue(), Files.readString(output));
    }

    /** Column {@code index} of a CSV file without quoted commas, its header left out. */
    private static List<String> column(Path csv, int index) throws Exception {
        return Files.readAllLines(csv).stream().skip(1).map(line -> line.split(",", -1)[index]).toList();
    }

    /**
     * Each trial's exit from the plateau, recorded step by step while it trained: 32 steps, so a
     * first run of 20 steps below the band began at step 13 at the latest; these batch-normalised
     * networks leave it within their first epoch.
     */
    @Test
    void trialsRecordWhenTheyLeftThePlateau() throws Exception {
        try (Connection c = TestDb.reader(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*), count(left_plateau_at_step), min(left_plateau_at_step),"
                        + " max(left_plateau_at_step) FROM seed_results WHERE sweep = 'small'")) {
            r.next();
            assertEquals(8, r.getInt(1));
            assertTrue(r.getInt(2) >= 6, r.getInt(2) + " of 8 trials left the plateau");
            assertTrue(r.getLong(3) >= 1 && r.getLong(4) <= 13, "steps " + r.getLong(3) + ".." + r.getLong(4));
        }
    }

    /** The report's "0.8300 ± 0.0361", written here from the view's two numbers. */
    private static String meanStd(Double mean, Double std) {
        return mean == null ? "-" : std == null ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }

    /** Every SQL example of the view table of docs/operations.md runs against a real store. */
    @Test
    void readmeViewExamplesRun() throws Exception {
        String readme = Files.readString(Path.of("docs/operations.md"));
        String views = readme.substring(readme.indexOf("### Views"), readme.indexOf("## MLflow"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\| `(SELECT [^`]+)` \\|").matcher(views);
        int examples = 0;
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement()) {
            while (m.find()) {
                s.executeQuery(m.group(1)).close();
                examples++;
            }
        }
        assertEquals(12, examples, "one example per view, and one for seed_comparison_across");
    }

    /** Every trial has its memory estimated and measured; trials of one network share one measurement. */
    @Test
    void everyTrialHasMeasuredMemory() throws Exception {
        try (Connection c = TestDb.connect(home, port);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT variant, count(*), count(training_memory_bytes_measured),"
                        + " count(DISTINCT training_memory_bytes_measured), min(prediction_memory_bytes_measured_batch1),"
                        + " bool_and(training_memory_bytes_measured > prediction_memory_bytes_measured)"
                        + " FROM resource_usage WHERE sweep = 'small' GROUP BY variant ORDER BY variant")) {
            int variants = 0;
            while (r.next()) {
                assertEquals(4, r.getInt(2), r.getString(1));
                assertEquals(4, r.getInt(3), "every trial of " + r.getString(1) + " has a measurement");
                assertEquals(1, r.getInt(4), "one network, one measurement shared by its trials");
                assertTrue(r.getLong(5) > 0, "prediction at batch 1 takes memory");
                assertTrue(r.getBoolean(6), "training takes more than prediction");
                variants++;
            }
            assertEquals(2, variants);
        }
    }

    /** With MLFLOW_TRACKING_URI set the report goes under report/ of the sweep's run; with MLflow down it is still written. */
    @Test
    void theReportIsLoggedToTheSweepsMlflowRun() throws Exception {
        Path dir = home.resolve("mlflow");
        Path out = home.resolve("report-mlflow");
        NinProcess.Result down = NinProcess.withHome(home, port).env("MLFLOW_TRACKING_URI", "http://127.0.0.1:" + NinProcess.freePort())
                .run("report", "small", "--out", out.toString());
        assertEquals(ExitCode.MLFLOW.code, down.exitCode(), down.all());
        assertTrue(down.err().contains("run ./nin report small again"), down.all());
        assertTrue(Files.isRegularFile(out.resolve("report.md")), "the report is written even when MLflow is down");
        try (MlflowServer server = new MlflowServer(dir, NinProcess.freePort()).start()) {
            NinProcess.Result result = NinProcess.withHome(home, port).env("MLFLOW_TRACKING_URI", server.uri())
                    .run("report", "small", "--out", out.toString());
            assertEquals(0, result.exitCode(), result.all());
            // report.md, 8 trial curves, 4 sweep charts, the best-so-far curve, the differences chart, the
            // two per-epoch charts and the two networks' cost chart.
            assertTrue(result.out().contains("18 files under report/"), result.all());
        }
        List<Path> uploaded;
        try (var files = Files.walk(dir.resolve("artifacts"))) {
            uploaded = files.filter(p -> p.getParent().getFileName().toString().equals("report")).toList();
        }
        assertEquals(18, uploaded.size(), uploaded.toString());
        Path markdown = uploaded.stream().filter(p -> p.getFileName().toString().equals("report.md")).findFirst().orElseThrow();
        assertEquals(Files.readString(out.resolve("report.md")), Files.readString(markdown));
    }
}
