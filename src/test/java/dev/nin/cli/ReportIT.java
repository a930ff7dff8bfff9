package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;

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
        Files.writeString(file, """
                name: small
                base: {resize: 67, epochs: 1, batch: 64, momentum: 0.9}
                data: {train_limit: 256, validation: 64, test_limit: 64}
                variants: [no-1x1, single-1x1]
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
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/nin", "postgres", "");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT configuration, trials, test_accuracy_mean, test_accuracy_std"
                        + " FROM ablation_comparison WHERE sweep = 'small'")) {
            while (r.next()) {
                String row = String.format(Locale.ROOT, "| %s | %d | %.4f ± %.4f |", r.getString(1), r.getInt(2), r.getDouble(3),
                        r.getDouble(4));
                assertTrue(markdown.contains(row), "report lacks " + row + "\n" + markdown);
                groups++;
            }
        }
        assertEquals(4, groups, "two variants x two learning rates");
        for (String chart : new String[] {"accuracy-by-configuration.png", "accuracy-vs-parameters.png", "accuracy-vs-flops.png",
            "lr-vs-accuracy.png"}) {
            assertNotNull(ImageIO.read(out.resolve(chart).toFile()), chart + " decodes");
            assertTrue(markdown.contains("(" + chart + ")"), chart + " is in the report");
        }
        try (var files = Files.list(out)) {
            assertEquals(8, files.filter(p -> p.getFileName().toString().startsWith("curves-trial-")).count());
        }
    }
}
