package dev.nin.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.sweep.SweepFile;
import dev.nin.sweep.SweepParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.statistics.distribution.TDistribution;
import org.junit.jupiter.api.Test;

/**
 * docs/results/README.md quotes nothing it cannot regenerate: each table under a marker
 * {@code <!-- table: SWEEP/KIND -->} is rendered again here from the CSV exports beside the page
 * (docs/results/export.sh: {@code ./nin sql --format csv} of the store the sweep ran in), and the
 * exports agree with each other: every mean, standard deviation, stuck count and Welch interval is
 * recomputed from the trials' own rows (the interval with Apache Commons Statistics' t quantile,
 * not the store's).
 */
class ResultsPagesTest {

    private static final Path RESULTS = Path.of("docs", "results");
    private static final Pattern MARKER = Pattern.compile("<!-- table: ([a-z0-9-]+)/([a-z]+) -->");

    /**
     * With {@code -Dnin.results.rewrite=true}, the page's tables are first written from the CSVs (for
     * a new section: put its markers, export, then run this once); the check below then passes
     * only if nothing else on the page quotes a number the files do not give.
     */
    @Test
    void everyQuotedTableIsRenderedAgainFromItsCsv() throws IOException {
        if (Boolean.getBoolean("nin.results.rewrite")) {
            rewriteTables();
        }
        List<String> page = Files.readAllLines(RESULTS.resolve("README.md"), StandardCharsets.UTF_8);
        int tables = 0;
        for (int i = 0; i < page.size(); i++) {
            Matcher m = MARKER.matcher(page.get(i));
            if (!m.matches()) {
                continue;
            }
            List<String> quoted = new ArrayList<>();
            for (int j = i + 1; j < page.size() && page.get(j).startsWith("|"); j++) {
                quoted.add(page.get(j));
            }
            List<String> rendered = render(m.group(1), m.group(2));
            assertEquals(String.join("\n", rendered), String.join("\n", quoted), "table " + m.group(1) + "/" + m.group(2));
            tables++;
        }
        assertTrue(tables > 0, "the page quotes no table");
    }

    private static void rewriteTables() throws IOException {
        List<String> page = Files.readAllLines(RESULTS.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < page.size(); i++) {
            out.add(page.get(i));
            Matcher m = MARKER.matcher(page.get(i));
            if (m.matches()) {
                out.addAll(render(m.group(1), m.group(2)));
                while (i + 1 < page.size() && page.get(i + 1).startsWith("|")) {
                    i++;
                }
            }
        }
        Files.write(RESULTS.resolve("README.md"), out, StandardCharsets.UTF_8);
    }

    @Test
    void statisticsAndIntervalsFollowFromTheTrialsRows() throws IOException {
        try (var sections = Files.list(RESULTS)) {
            for (Path section : sections.filter(p -> Files.isRegularFile(p.resolve("trials.csv"))).toList()) {
                Measured measured = measured(section);
                Map<String, List<Double>> test = measured.test();
                Map<String, List<Double>> validation = measured.validation();
                Map<String, int[]> counts = measured.counts();
                for (Map<String, String> s : csv(section.resolve("statistics.csv"))) {
                    String c = s.get("configuration");
                    assertEquals(counts.get(c)[0], Integer.parseInt(s.get("trials")), section + " " + c);
                    assertEquals(counts.get(c)[1], Integer.parseInt(s.get("stuck")), section + " " + c);
                    assertClose(mean(test.get(c)), s.get("test_accuracy_mean"), section + " " + c);
                    assertClose(std(test.get(c)), s.get("test_accuracy_std"), section + " " + c);
                    assertClose(mean(validation.get(c)), s.get("validation_accuracy_mean"), section + " " + c);
                }
                Path differences = section.resolve("differences.csv");
                for (Map<String, String> d : Files.exists(differences) ? csv(differences) : List.<Map<String, String>>of()) {
                    Map<String, List<Double>> values = d.get("metric").equals("test_accuracy") ? test : validation;
                    double[] interval = welch(values.get(d.get("configuration")), values.get(d.get("baseline")));
                    assertClose(interval[0], d.get("difference"), section + " " + d);
                    assertClose(interval[1], d.get("low"), section + " " + d);
                    assertClose(interval[2], d.get("high"), section + " " + d);
                    assertEquals(interval[1] <= 0 && interval[2] >= 0, bool(d.get("within_noise")), section + " " + d);
                }
                // Against another sweep's configurations (seed_comparison_across), from both sweeps' rows.
                Path versus = section.resolve("versus.csv");
                for (Map<String, String> d : Files.exists(versus) ? csv(versus) : List.<Map<String, String>>of()) {
                    Measured other = measured(RESULTS.resolve(d.get("baseline_sweep")));
                    boolean onTest = d.get("metric").equals("test_accuracy");
                    double[] interval = welch((onTest ? test : validation).get(d.get("configuration")),
                            (onTest ? other.test() : other.validation()).get(d.get("baseline")));
                    assertClose(interval[0], d.get("difference"), section + " " + d);
                    assertClose(interval[1], d.get("low"), section + " " + d);
                    assertClose(interval[2], d.get("high"), section + " " + d);
                    assertEquals(interval[1] <= 0 && interval[2] >= 0, bool(d.get("within_noise")), section + " " + d);
                }
            }
        }
    }

    /** A section's values per configuration over its trials off the plateau, and {trials, stuck} counts. */
    private record Measured(Map<String, List<Double>> test, Map<String, List<Double>> validation, Map<String, int[]> counts) {}

    private static Measured measured(Path section) throws IOException {
        Measured m = new Measured(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        for (Map<String, String> t : csv(section.resolve("trials.csv"))) {
            String c = t.get("configuration");
            boolean stuck = bool(t.get("stuck"));
            int[] n = m.counts().computeIfAbsent(c, k -> new int[2]);
            n[0]++;
            n[1] += stuck ? 1 : 0;
            if (!stuck) {
                add(m.test(), c, t.get("test_accuracy"));
                add(m.validation(), c, t.get("validation_accuracy"));
            }
        }
        return m;
    }

    /**
     * Exercise 1's retraining trains what its search picked: the completed search trial with the best
     * validation accuracy, at the same learning rate to the last digit, and otherwise the same
     * configuration but for the epochs (9 in the search, 10 in the retraining).
     */
    @Test
    void exerciseOneRetrainsTheSearchsPick() throws IOException {
        Map<String, String> pick = csv(RESULTS.resolve("exercise-1-search/search.csv")).stream()
                .filter(t -> t.get("state").equals("completed"))
                .max(Comparator.comparingDouble(t -> Double.parseDouble(t.get("validation_accuracy")))).orElseThrow();
        SweepFile retrain = SweepParser.parse(Path.of("sweeps/exercise-1-retrain.yaml"));
        assertEquals(Double.parseDouble(pick.get("learning_rate")), retrain.base().lr(), "lr of the pick, trial " + pick.get("trial_id"));
        List<String> retrained = csv(RESULTS.resolve("exercise-1-retrain/statistics.csv")).stream()
                .map(s -> s.get("configuration")).toList();
        assertEquals(List.of(pick.get("configuration").replace(" epochs=9 ", " epochs=10 ")), retrained);
    }

    /**
     * The page's rank argument for exercise 1: each of the pick's 3 runs beats each of the book's 5
     * (stuck one included), which under equal settings has probability 1 / C(8, 3) = 1/56, a
     * two-sided Mann-Whitney p of 2/56 = 0.036.
     */
    @Test
    void exerciseOnesPickBeatsEveryRunOfTheBooksSetting() throws IOException {
        List<Double> pick = csv(RESULTS.resolve("exercise-1-retrain/trials.csv")).stream()
                .map(t -> Double.parseDouble(t.get("test_accuracy"))).toList();
        List<Double> book = csv(RESULTS.resolve("exercise-1-book/trials.csv")).stream()
                .map(t -> Double.parseDouble(t.get("test_accuracy"))).toList();
        assertEquals(3, pick.size());
        assertEquals(5, book.size());
        assertTrue(pick.stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                > book.stream().mapToDouble(Double::doubleValue).max().orElseThrow(), pick + " vs " + book);
        long orderings = 8 * 7 * 6 / (3 * 2); // C(8, 3) equally likely rank sets of the pick's runs
        assertEquals(56, orderings);
        assertEquals("0.036", String.format(Locale.ROOT, "%.3f", 2.0 / orderings));
    }

    /** A table of the page, from the CSVs of {@code sweep}. */
    static List<String> render(String sweep, String kind) throws IOException {
        Path dir = RESULTS.resolve(sweep);
        List<String> out = new ArrayList<>();
        switch (kind) {
            case "statistics" -> {
                Map<String, Map<String, String>> resources = new LinkedHashMap<>();
                for (Map<String, String> r : csv(dir.resolve("resources.csv"))) {
                    resources.put(r.get("variant"), r);
                }
                out.add("| configuration | trials | stuck | validation acc | test acc | parameters | forward MFLOP/image |");
                out.add("| --- | ---: | --- | --- | --- | ---: | ---: |");
                for (Map<String, String> s : csv(dir.resolve("statistics.csv"))) {
                    Map<String, String> r = resources.get(s.get("variant"));
                    long stuck = Long.parseLong(s.get("stuck"));
                    out.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %,d | %.1f |", s.get("configuration"),
                            s.get("trials"), stuck == 0 ? "none" : stuck + " of " + s.get("trials"),
                            meanStd(s.get("validation_accuracy_mean"), s.get("validation_accuracy_std")),
                            meanStd(s.get("test_accuracy_mean"), s.get("test_accuracy_std")), Long.parseLong(r.get("parameters")),
                            Long.parseLong(r.get("forward_flops")) / 1e6));
                }
            }
            case "differences" -> out.addAll(differenceTable(dir.resolve("differences.csv"), "against", d -> d.get("baseline")));
            case "versus" -> out.addAll(differenceTable(dir.resolve("versus.csv"), "against (sweep: configuration)",
                    d -> d.get("baseline_sweep") + ": " + d.get("baseline")));
            case "trials" -> {
                out.add("| seed | left the plateau at step | final train loss | validation acc | test acc | stuck |");
                out.add("| ---: | ---: | ---: | ---: | ---: | --- |");
                for (Map<String, String> t : csv(dir.resolve("trials.csv"))) {
                    String left = t.get("left_plateau_at_step");
                    out.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", t.get("seed"),
                            left == null || left.isEmpty() ? "never" : left, loss(t.get("train_loss")),
                            meanStd(t.get("validation_accuracy"), null), meanStd(t.get("test_accuracy"), null),
                            bool(t.get("stuck")) ? "stuck" : ""));
                }
            }
            case "search" -> {
                out.add("| trial | asked | configuration | state | epochs | final train loss | validation acc |");
                out.add("| ---: | --- | --- | --- | ---: | ---: | ---: |");
                for (Map<String, String> t : csv(dir.resolve("search.csv"))) {
                    out.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |", t.get("trial_id"),
                            t.get("sampler_phase"), t.get("configuration"), t.get("state"), t.get("epochs_completed"),
                            loss(t.get("train_loss")), meanStd(t.get("validation_accuracy"), null)));
                }
            }
            case "resources" -> {
                out.add("| variant | parameters | forward GFLOP/image | training memory, estimated / measured (MiB) |"
                        + " prediction memory, estimated / measured (MiB) | measured at batch 1: training / prediction (MiB) |");
                out.add("| --- | ---: | ---: | --- | --- | --- |");
                for (Map<String, String> r : csv(dir.resolve("resources.csv"))) {
                    out.add(String.format(Locale.ROOT, "| %s | %,d | %.3f | %s / %s | %s / %s | %s / %s |", r.get("variant"),
                            Long.parseLong(r.get("parameters")), Long.parseLong(r.get("forward_flops")) / 1e9,
                            mib(r.get("training_memory_bytes_estimated")), mib(r.get("training_memory_bytes_measured")),
                            mib(r.get("prediction_memory_bytes_estimated")), mib(r.get("prediction_memory_bytes_measured")),
                            mib(r.get("training_memory_bytes_measured_batch1")), mib(r.get("prediction_memory_bytes_measured_batch1"))));
                }
            }
            case "epochs" -> {
                out.add("| seed | epoch | train loss | train acc | validation acc | test acc | training images/s |");
                out.add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
                for (Map<String, String> e : csv(dir.resolve("epochs.csv"))) {
                    out.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.1f |", e.get("seed"), e.get("epoch"),
                            loss(e.get("train_loss")), meanStd(e.get("train_accuracy"), null),
                            e.get("validation_accuracy").isEmpty() ? "-" : meanStd(e.get("validation_accuracy"), null),
                            meanStd(e.get("test_accuracy"), null), Double.parseDouble(e.get("images_per_second"))));
                }
            }
            default -> throw new IllegalArgumentException("unknown table kind " + kind);
        }
        return out;
    }

    /** A differences or versus table, test accuracy only: configuration, against, seeds, difference, interval, verdict. */
    private static List<String> differenceTable(Path file, String againstHeading, Function<Map<String, String>, String> against)
            throws IOException {
        List<String> out = new ArrayList<>();
        out.add("| configuration | " + againstHeading + " | seeds | test acc difference | 95% interval (Welch) | verdict |");
        out.add("| --- | --- | --- | ---: | --- | --- |");
        for (Map<String, String> d : csv(file)) {
            if (!d.get("metric").equals("test_accuracy")) {
                continue;
            }
            double difference = Double.parseDouble(d.get("difference"));
            out.add(String.format(Locale.ROOT, "| %s | %s | %s vs %s | %+.4f | [%+.4f, %+.4f] | %s |", d.get("configuration"),
                    against.apply(d), d.get("n"), d.get("baseline_n"), difference, Double.parseDouble(d.get("low")),
                    Double.parseDouble(d.get("high")), bool(d.get("within_noise")) ? "within noise" : difference > 0 ? "better" : "worse"));
        }
        return out;
    }

    /** A final training loss to 4 places, "-" for a trial that ended before its first epoch did. */
    private static String loss(String value) {
        return value == null || value.isEmpty() ? "-" : String.format(Locale.ROOT, "%.4f", Double.parseDouble(value));
    }

    private static String mib(String bytes) {
        return bytes == null || bytes.isEmpty() ? "-" : String.format(Locale.ROOT, "%,.0f", Long.parseLong(bytes) / 1048576.0);
    }

    private static String meanStd(String mean, String std) {
        if (mean == null || mean.isEmpty()) {
            return "-";
        }
        return std == null || std.isEmpty() ? String.format(Locale.ROOT, "%.4f", Double.parseDouble(mean))
                : String.format(Locale.ROOT, "%.4f ± %.4f", Double.parseDouble(mean), Double.parseDouble(std));
    }

    /** {difference, low, high} of mean(a) − mean(b), Welch's 95% interval. */
    static double[] welch(List<Double> a, List<Double> b) {
        double va = variance(a) / a.size();
        double vb = variance(b) / b.size();
        double df = (va + vb) * (va + vb) / (va * va / (a.size() - 1) + vb * vb / (b.size() - 1));
        double half = TDistribution.of(df).inverseCumulativeProbability(0.975) * Math.sqrt(va + vb);
        double d = mean(a) - mean(b);
        return new double[] {d, d - half, d + half};
    }

    private static void add(Map<String, List<Double>> values, String configuration, String value) {
        if (value != null && !value.isEmpty()) {
            values.computeIfAbsent(configuration, k -> new ArrayList<>()).add(Double.parseDouble(value));
        }
    }

    private static double mean(List<Double> values) {
        if (values == null) { // every trial of the configuration stuck: no mean
            return Double.NaN;
        }
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double variance(List<Double> values) {
        double m = mean(values);
        return values.stream().mapToDouble(v -> (v - m) * (v - m)).sum() / (values.size() - 1);
    }

    private static double std(List<Double> values) {
        return values == null || values.size() < 2 ? Double.NaN : Math.sqrt(variance(values));
    }

    private static void assertClose(double expected, String actual, String what) {
        if (Double.isNaN(expected)) {
            assertTrue(actual == null || actual.isEmpty(), what + ": expected no value, found " + actual);
            return;
        }
        // The t quantile of migration V6 is within 5e-5 of the exact one; intervals are a few hundredths wide.
        assertEquals(expected, Double.parseDouble(actual), 1e-5, what);
    }

    private static boolean bool(String value) {
        return value.equals("true") || value.equals("t");
    }

    /** Every exported section can be reproduced: reproduce.sh has its row, and each row's sweeps are committed files. */
    @Test
    void everyExportedSectionHasItsReproduceRow() throws IOException {
        String script = Files.readString(RESULTS.resolve("reproduce.sh"), StandardCharsets.UTF_8);
        String table = script.substring(script.indexOf("<<'TABLE'\n") + "<<'TABLE'\n".length(), script.indexOf("\nTABLE\n"));
        Map<String, String[]> rows = new LinkedHashMap<>();
        for (String row : table.split("\n")) {
            String[] cells = row.split("\\|", -1);
            assertEquals(4, cells.length, "reproduce.sh row: section|sweeps|baseline|versus, found " + row);
            rows.put(cells[0], cells);
            for (String sweep : cells[1].split(" ")) {
                assertTrue(Files.exists(Path.of("sweeps", sweep + ".yaml")), row + ": no sweeps/" + sweep + ".yaml");
            }
        }
        try (var folders = Files.list(RESULTS)) {
            for (Path folder : folders.filter(f -> Files.exists(f.resolve("provenance.txt"))).toList()) {
                assertTrue(rows.containsKey(folder.getFileName().toString()), folder + " has no row in reproduce.sh");
            }
        }
    }

    /** A CSV file as written by {@code ./nin sql --format csv}: a header row, RFC 4180 quoting. */
    static List<Map<String, String>> csv(Path file) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else {
                field.append(ch);
            }
        }
        if (field.length() > 0 || !row.isEmpty()) {
            row.add(field.toString());
            rows.add(row);
        }
        assertFalse(rows.isEmpty(), file + " is empty");
        List<String> header = rows.get(0);
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> r : rows.subList(1, rows.size())) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                values.put(header.get(c), c < r.size() ? r.get(c) : "");
            }
            out.add(values);
        }
        return out;
    }
}
