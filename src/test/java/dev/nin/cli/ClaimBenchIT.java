package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code nin bench claims} from the packaged app against an embedded store of its own: every run,
 * with and without killed claimers, completes every trial exactly once, the kill runs reclaim the
 * trials the killed held once their leases expire, and the store is left as it was found. Its
 * timings are printed, never asserted.
 */
class ClaimBenchIT {

    /** A row of the final table: claimers, kill, trials, seconds, claims/s, p50, p99, exactly-once, reclaimed. */
    private static final Pattern ROW = Pattern.compile(
            "(?m)^\\s*(\\d+)\\s+(0|0\\.\\d+)\\s+(\\d+)\\s+[\\d.]+\\s+\\d+\\s+[\\d.]+\\s+[\\d.]+\\s+(yes|no)\\s+(\\d+)\\s*$");

    private static Path home;
    private static int port;
    private static NinProcess nin;

    @BeforeAll
    static void startStore() throws Exception {
        home = StoreIT.fresh("claim-bench-it-home");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result url = nin.run("db", "url");
        assertEquals(0, url.exitCode(), url.all());
    }

    @AfterAll
    static void stopStore() throws Exception {
        nin.run("db", "stop");
    }

    private record Row(int claimers, String kill, int trials, boolean exactlyOnce, int reclaimed) {}

    @Test
    void everyTrialIsCompletedExactlyOnceAndTheStoreIsLeftAsFound() throws Exception {
        SortedMap<String, Long> before;
        try (Connection c = TestDb.connect(home, port)) {
            before = TestDb.rowCounts(c);
        }
        NinProcess.Result result = nin.run("bench", "claims", "--claimers", "4,8", "--trials", "300", "--lease-seconds", "1");
        System.out.println(result.out());
        assertEquals(0, result.exitCode(), result.all());

        List<Row> rows = new ArrayList<>();
        Matcher m = ROW.matcher(result.out());
        while (m.find()) {
            rows.add(new Row(Integer.parseInt(m.group(1)), m.group(2), Integer.parseInt(m.group(3)), m.group(4).equals("yes"),
                    Integer.parseInt(m.group(5))));
        }
        assertEquals(List.of("4 0", "4 0.25", "8 0", "8 0.25"), rows.stream().map(r -> r.claimers() + " " + r.kill()).toList(),
                result.out());
        for (Row row : rows) {
            assertEquals(300, row.trials(), result.out());
            assertTrue(row.exactlyOnce(), "exactly once in " + row + "\n" + result.out());
            if (row.kill().equals("0")) {
                // Nobody died and the lease is nin's two minutes: no trial is claimed twice.
                assertEquals(0, row.reclaimed(), row + "\n" + result.out());
            } else {
                assertTrue(row.reclaimed() > 0, "the killed claimers' trials were claimed again in " + row + "\n" + result.out());
            }
        }
        assertTrue(result.out().contains("machine: "), result.out());
        assertTrue(result.out().contains("max_connections 200"), result.out());

        try (Connection c = TestDb.connect(home, port)) {
            try (Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT count(*) FROM sweeps WHERE name LIKE 'bench-claims-%'")) {
                r.next();
                assertEquals(0, r.getInt(1), "the benchmark's sweeps are deleted");
            }
            assertEquals(before, TestDb.rowCounts(c), "every table has the rows it had before the benchmark");
        }
    }

    @Test
    void tpeAsksCreateExactlyTheBudgetAndEveryTrialOnce() throws Exception {
        SortedMap<String, Long> before;
        try (Connection c = TestDb.connect(home, port)) {
            before = TestDb.rowCounts(c);
        }
        NinProcess.Result result = nin.run("bench", "claims", "--asks", "--claimers", "2,4", "--trials", "40", "--lease-seconds", "1");
        System.out.println(result.out());
        assertEquals(0, result.exitCode(), result.all());
        assertTrue(result.out().contains("--asks (TPE asks"), result.out());
        List<String> runs = new ArrayList<>();
        Matcher m = ROW.matcher(result.out());
        while (m.find()) {
            runs.add(m.group(1) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4));
            if (!m.group(2).equals("0")) {
                assertTrue(Integer.parseInt(m.group(5)) > 0, "killed claimers' asked trials were claimed again\n" + result.out());
            }
        }
        // "exactly once" includes: the sweep has exactly its budget of trials, each with one recorded suggestion.
        assertEquals(List.of("2 0 40 yes", "2 0.25 40 yes", "4 0 40 yes", "4 0.25 40 yes"), runs, result.out());
        try (Connection c = TestDb.connect(home, port)) {
            assertEquals(before, TestDb.rowCounts(c), "every table (trial_suggestions too) has the rows it had before");
        }
        NinProcess.Result few = nin.run("bench", "claims", "--asks", "--trials", "10");
        assertEquals(2, few.exitCode(), few.all());
        assertEquals("nin bench claims: error: --trials: expected more than 10 with --asks (the start-up draws come first),"
                + " found 10", few.err().strip());
    }

    @Test
    void samplerBenchPrintsBothSamplersAndRefusesAnUnknownObjective() throws Exception {
        NinProcess.Result result = nin.run("bench", "sampler", "--seeds", "3", "--evaluations", "12", "--objectives", "branin");
        assertEquals(0, result.exitCode(), result.all());
        assertTrue(result.out().contains("objective\tsampler\tn\tmedian\tq25\tq75\tseeds"), result.out());
        assertTrue(result.out().lines().anyMatch(l -> l.startsWith("branin\trandom\t12\t")), result.out());
        assertTrue(result.out().lines().anyMatch(l -> l.startsWith("branin\tnin-tpe\t12\t")), result.out());
        NinProcess.Result bad = nin.run("bench", "sampler", "--objectives", "rosenbrock");
        assertEquals(2, bad.exitCode(), bad.all());
        assertEquals("nin bench sampler: error: --objectives: expected one of branin, hartmann6, noisy-branin,"
                + " found 'rosenbrock'", bad.err().strip());
    }

    @Test
    void badOptionsAreOneLineAndExitCode2() throws Exception {
        String[][] cases = {
            {"--trials", "0", "--trials: expected 1 to 1,000,000, found 0"},
            {"--claimers", "4,0", "--claimers: expected 1 to 1,000, found 0"},
            {"--kill-fraction", "1", "--kill-fraction: expected 0 to 0.9, found 1.0"},
            {"--lease-seconds", "0", "--lease-seconds: expected 1 to 120, found 0"},
        };
        for (String[] c : cases) {
            NinProcess.Result result = nin.run("bench", "claims", c[0], c[1]);
            assertEquals(2, result.exitCode(), result.all());
            assertEquals("nin bench claims: error: " + c[2], result.err().strip(), result.all());
            assertEquals("", result.out(), "nothing runs before the options are checked");
        }
        NinProcess.Result unknown = nin.run("bench", "claims", "--trails", "5");
        assertEquals(2, unknown.exitCode(), unknown.all());
        assertTrue(unknown.err().lines().findFirst().orElse("").contains("--trails"), unknown.all());
    }

    @Test
    void benchKeepsItsOwnOptionsBesideTheClaimsSubcommand() throws Exception {
        NinProcess.Result help = nin.run("bench", "--help");
        assertEquals(0, help.exitCode(), help.all());
        for (String expected : List.of("--resize", "--batch", "--trials", "claims")) {
            assertTrue(help.out().contains(expected), expected + " in\n" + help.out());
        }
    }
}
