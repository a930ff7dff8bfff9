package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.commons.statistics.distribution.TDistribution;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Migration V6's statistics on a real PostgreSQL, against values computed by hand (scipy 1.x's
 * {@code ttest_ind(equal_var=False).confidence_interval()} gave the same to 1e-8), and what the
 * leaderboard and the report print from them. The trials are synthetic rows written as nin's owner:
 * the figures must be known exactly.
 */
class SeedStatisticsIT {

    private static final String LONG = "standard lr=0.05 epochs=2 batch=128 resize=67 momentum=0.9 init=he schedule=cosine"
            + " smoothing=0.1 crop=2 with a name long enough to push any fixed-width column";

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void storeSyntheticTrials() throws Exception {
        home = StoreIT.fresh("seed-statistics-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result init = nin.run("sql", "SELECT 1");
        assertEquals(0, init.exitCode(), init.all());
        try (Connection c = TestDb.connect(home, port)) {
            long sweep = sweep(c, "synthetic");
            // A (the baseline, first trial): 0.80, 0.82, 0.84. B: 0.85, 0.86, 0.90, 0.88, and two stuck
            // trials: one completed with its loss within 0.02 of ln 10 (2.2926 is 0.0100 from 2.3026),
            // one stopped as stalled. LONG: 0.70, 0.72, none stuck.
            trial(c, sweep, "A", 1, "completed", 0.5, 0.80);
            trial(c, sweep, "A", 2, "completed", 0.5, 0.82);
            trial(c, sweep, "A", 3, "completed", 0.5, 0.84);
            trial(c, sweep, "B", 1, "completed", 0.4, 0.85);
            trial(c, sweep, "B", 2, "completed", 0.4, 0.86);
            trial(c, sweep, "B", 3, "completed", 0.4, 0.90);
            trial(c, sweep, "B", 4, "completed", 0.4, 0.88);
            trial(c, sweep, "B", 5, "completed", 2.2926, 0.10);
            trial(c, sweep, "B", 6, "stalled", 2.3100, null);
            trial(c, sweep, LONG, 1, "completed", 0.6, 0.70);
            trial(c, sweep, LONG, 2, "completed", 0.6, 0.72);
            // Another sweep with a configuration of the same name: 0.90, 0.92, 0.94, and one stuck.
            long other = sweep(c, "synthetic-other");
            trial(c, other, "A", 1, "completed", 0.3, 0.90);
            trial(c, other, "A", 2, "completed", 0.3, 0.92);
            trial(c, other, "A", 3, "completed", 0.3, 0.94);
            trial(c, other, "A", 4, "completed", 2.2926, 0.10);
        }
    }

    /** A sweep row with nothing but its name; its id. */
    private static long sweep(Connection c, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO sweeps (name, content_hash) VALUES (?, ?) RETURNING id")) {
            s.setString(1, name);
            s.setString(2, "hash of " + name);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void trial(Connection c, long sweep, String configuration, int seed, String state, double loss, Double accuracy)
            throws SQLException {
        long id;
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed, learning_rate, epochs, batch_size,
                                    resize, momentum, nesterov, weight_decay, dropout, train_limit, validation_size, test_limit,
                                    config, config_hash, nin_version, java_version, ended_at)
                VALUES (?, (SELECT count(*) FROM trials WHERE sweep_id = ?), ?, ?, 'standard', ?, 0.05, 2, 128, 67, 0.9, false, 0,
                        0.5, 0, 0, 0, '{"stall": {"band": 0, "steps": 0}}', 'synthetic', 'test', '17', now())
                RETURNING id""")) {
            s.setLong(1, sweep);
            s.setLong(2, sweep);
            s.setString(3, configuration);
            s.setString(4, state);
            s.setInt(5, seed);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                id = r.getLong(1);
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO epoch_metrics (trial_id, epoch, train_loss, train_accuracy,"
                + " validation_accuracy, test_accuracy, images_per_second, train_seconds, seconds) VALUES (?, 1, ?, 0.5, ?, ?, 1, 1, 1)")) {
            s.setLong(1, id);
            s.setDouble(2, loss);
            s.setObject(3, accuracy);
            s.setObject(4, accuracy);
            s.executeUpdate();
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    @Test
    void tCriticalValuesMatchApacheCommonsStatistics() throws Exception {
        double[] dfs = {1, 1.01, 1.1, 1.5, 2, 2.5, 3, 4.7155, 7, 10, 30, 100, 1000};
        try (Connection c = TestDb.reader(home, port);
                PreparedStatement s = c.prepareStatement("SELECT t_critical_95(?)")) {
            for (double df : dfs) {
                s.setDouble(1, df);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    double expected = TDistribution.of(df).inverseCumulativeProbability(0.975);
                    double tolerance = df <= 10 ? 2e-6 : 5e-5;
                    assertEquals(expected, r.getDouble(1), tolerance, "df " + df);
                }
            }
        }
    }

    @Test
    void welchIntervalsAreTheHandComputedOnesAndStuckTrialsAreLeftOutAndCounted() throws Exception {
        try (Connection c = TestDb.reader(home, port);
                Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT trials, stuck, n, test_accuracy_mean, test_accuracy_std, test_accuracy_mean_all"
                    + " FROM seed_statistics WHERE sweep = 'synthetic' AND configuration = 'B'")) {
                r.next();
                assertEquals(6, r.getLong(1));
                assertEquals(2, r.getLong(2));
                assertEquals(4, r.getLong(3));
                assertEquals(0.8725, r.getDouble(4), 1e-12);
                assertEquals(0.022173557826083, r.getDouble(5), 1e-12); // sample std of 0.85, 0.86, 0.90, 0.88
                assertEquals(0.718, r.getDouble(6), 1e-12); // the stalled trial measured nothing
            }
            try (ResultSet r = s.executeQuery("SELECT difference, standard_error, welch_df, low, high, within_noise"
                    + " FROM seed_differences WHERE sweep = 'synthetic' AND metric = 'test_accuracy'"
                    + " AND configuration = 'B' AND baseline = 'A'")) {
                r.next();
                assertEquals(0.0525, r.getDouble(1), 1e-12);
                assertEquals(0.016007810593582, r.getDouble(2), 1e-12); // sqrt(0.0004/3 + 0.00049167/4)
                assertEquals(4.715532467532, r.getDouble(3), 1e-9);
                assertEquals(0.010592645619, r.getDouble(4), 1e-7);
                assertEquals(0.094407354381, r.getDouble(5), 1e-7);
                assertFalse(r.getBoolean(6));
            }
            // Stuck trials counted in: B's 0.10 widens the interval over 0.
            try (ResultSet r = s.executeQuery("SELECT low, high, within_noise FROM seed_comparison(true)"
                    + " WHERE sweep = 'synthetic' AND metric = 'test_accuracy' AND configuration = 'B' AND baseline = 'A'")) {
                r.next();
                assertEquals(-0.530957701259, r.getDouble(1), 1e-7);
                assertEquals(0.326957701259, r.getDouble(2), 1e-7);
                assertTrue(r.getBoolean(3));
            }
        }
    }

    @Test
    void aComparisonAcrossSweepsIsWelchsIntervalBetweenThem() throws Exception {
        try (Connection c = TestDb.reader(home, port);
                Statement s = c.createStatement()) {
            // synthetic-other's A (0.90, 0.92, 0.94; its stuck 0.10 left out) against synthetic's A
            // (0.80, 0.82, 0.84): difference 0.10, standard error sqrt(2 * 0.0004 / 3), Welch df 4,
            // half width t(0.975, 4) = 2.7764451052 times it.
            try (ResultSet r = s.executeQuery("SELECT baseline, n, baseline_n, difference, standard_error, welch_df, low, high,"
                    + " within_noise, sweep, baseline_sweep FROM seed_comparison_across('synthetic-other', 'synthetic', false)"
                    + " WHERE metric = 'test_accuracy' ORDER BY baseline")) {
                List<String> baselines = new ArrayList<>();
                while (r.next()) {
                    baselines.add(r.getString(1));
                    assertEquals("synthetic-other", r.getString(10));
                    assertEquals("synthetic", r.getString(11));
                    if (!r.getString(1).equals("A")) {
                        continue;
                    }
                    assertEquals(3, r.getLong(2));
                    assertEquals(3, r.getLong(3));
                    assertEquals(0.10, r.getDouble(4), 1e-12);
                    assertEquals(0.016329931618554, r.getDouble(5), 1e-12);
                    assertEquals(4.0, r.getDouble(6), 1e-9);
                    assertEquals(0.054660841289, r.getDouble(7), 1e-7);
                    assertEquals(0.145339158711, r.getDouble(8), 1e-7);
                    assertFalse(r.getBoolean(9));
                }
                assertEquals(List.of("A", "B", LONG), baselines);
            }
            try (ResultSet r = s.executeQuery("SELECT n FROM seed_comparison_across('synthetic-other', 'synthetic', true)"
                    + " WHERE metric = 'test_accuracy' AND baseline = 'A'")) {
                r.next();
                assertEquals(4, r.getLong(1), "the stuck trial counted in");
            }
            // A sweep against itself: seed_differences' pairs.
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM seed_comparison_across('synthetic', 'synthetic', false)")) {
                r.next();
                assertEquals(12, r.getLong(1));
            }
            // Within a sweep nothing changed: 3 configurations, 6 ordered pairs, 2 metrics; one
            // configuration alone has no pair.
            try (ResultSet r = s.executeQuery("SELECT count(*) FILTER (WHERE sweep = 'synthetic'),"
                    + " count(*) FILTER (WHERE sweep = 'synthetic-other') FROM seed_differences")) {
                r.next();
                assertEquals(12, r.getLong(1));
                assertEquals(0, r.getLong(2));
            }
        }
    }

    @Test
    void theLeaderboardPrintsAlignedMeansStuckCountsAndIntervals() throws Exception {
        NinProcess.Result board = nin.run("leaderboard", "synthetic");
        assertEquals(0, board.exitCode(), board.all());
        String out = board.out();
        // B's mean over its four trials off the plateau (0.8725) beats A's 0.82; counting B's completed
        // stuck trial in (0.10) would drop B to 0.718, below A: the best line must leave it out.
        assertTrue(out.contains("best configuration (best mean validation_accuracy over 4 completed trials, stuck ones left out): B\n"),
                out);
        List<String> seeds = section(out, "mean ± std over seeds");
        assertEquals(5, seeds.size(), out); // heading, rule, A, B, LONG
        assertTrue(seeds.get(3).matches("B +\\| +6 \\| 2 of 6 stuck +\\| 0\\.8725 ± 0\\.0222 +\\| 0\\.8725 ± 0\\.0222"), seeds.get(3));
        // Long names keep the columns straight: every row has its separators where the heading has them.
        for (String line : List.of(seeds.get(2), seeds.get(3), seeds.get(4))) {
            assertEquals(seeds.get(0).indexOf('|'), line.indexOf('|'), line);
            assertEquals(seeds.get(0).lastIndexOf('|'), line.lastIndexOf('|'), line);
        }
        List<String> differences = section(out, "test accuracy against the baseline A");
        assertTrue(differences.stream().anyMatch(l -> l.matches("B +\\| 4 vs 3 \\| +\\+0\\.0525 \\| \\[\\+0\\.0106, \\+0\\.0944\\]"
                + " \\| Welch t \\| better")), String.join("\n", differences));
        assertTrue(differences.stream().anyMatch(l -> l.startsWith(LONG) && l.endsWith("worse")), String.join("\n", differences));

        NinProcess.Result all = nin.run("leaderboard", "synthetic", "--include-stuck", "--baseline", "B");
        assertEquals(0, all.exitCode(), all.all());
        assertTrue(all.out().contains("best configuration (best mean validation_accuracy over 3 completed trials, stuck ones counted in): A\n"),
                all.out());
        assertTrue(section(all.out(), "test accuracy against the baseline B").stream()
                .anyMatch(l -> l.matches("A +\\| 3 vs 5 \\| +\\+0\\.1020 \\| \\[-0\\.3270, \\+0\\.5310\\] \\| Welch t \\| within noise")),
                all.out());

        NinProcess.Result unknown = nin.run("leaderboard", "synthetic", "--baseline", "C");
        assertEquals(ExitCode.USAGE.code, unknown.exitCode(), unknown.all());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.all());
        assertTrue(unknown.err().strip().endsWith("--baseline: no ended trial of sweep synthetic has the configuration 'C';"
                + " expected one of: A, B, " + LONG), unknown.all());
        assertEquals("", unknown.out(), "nothing printed before the error");
    }

    @Test
    void theReportQuotesTheViewsNumbers() throws Exception {
        Path folder = home.resolve("report");
        NinProcess.Result report = nin.run("report", "synthetic", "--out", folder.toString());
        assertEquals(0, report.exitCode(), report.all());
        String markdown = Files.readString(folder.resolve("report.md"));
        try (Connection c = TestDb.reader(home, port);
                java.sql.PreparedStatement s = c.prepareStatement(TestDb.DIFFERENCES)) {
            s.setString(1, "synthetic");
            s.setString(2, "A");
            ResultSet r = s.executeQuery();
            int rows = 0;
            while (r.next()) {
                String row = TestDb.differenceRow(r);
                assertTrue(markdown.contains(row), "report lacks " + row + "\n" + markdown);
                rows++;
            }
            assertEquals(4, rows, "B and LONG against A, in validation and test accuracy");
        }
        assertTrue(markdown.contains("| B | 6 | 2 of 6 stuck | 0.8725 ± 0.0222 | 0.8725 ± 0.0222 | - | - |"), markdown);
        assertTrue(markdown.lines().anyMatch(l -> l.startsWith("| ") && l.contains("| B | 5 |") && l.endsWith("| stuck |")), markdown);
    }

    /** The lines of the table under the line that starts with {@code heading}, up to the next blank line. */
    private static List<String> section(String out, String heading) {
        List<String> lines = out.lines().toList();
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(heading)) {
                start = i + 1;
                break;
            }
        }
        assertTrue(start > 0, "no '" + heading + "' in\n" + out);
        int end = start;
        while (end < lines.size() && !lines.get(end).isBlank() && !lines.get(end).startsWith("(")) {
            end++;
        }
        return lines.subList(start, end);
    }
}
