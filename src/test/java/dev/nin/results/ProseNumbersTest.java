package dev.nin.results;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Every measured number in docs/results/README.md's prose has a source: it is, at the precision the
 * page prints it, a value of the CSV exports beside the page (a cell, a number in a configuration's
 * label, a mean over seeds of an epoch in {@code epochs.csv}, an interval's width, a parameter count
 * in millions, a byte count in MiB or GiB, a FLOP count in GFLOP), or a value of the sweep file that
 * ran (its design), or it stands in a citation: a block quote ({@code > }) that names its
 * {@code Source:}. Numbers with a decimal point are checked (accuracies, losses, intervals, sizes);
 * counts, seeds, steps and percentages are not. Code spans, tables (rendered from the files by
 * {@link ResultsPagesTest}), indented commands and headings are not prose.
 */
class ProseNumbersTest {

    private static final Path RESULTS = Path.of("docs", "results");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.=])[−+-]?(\\d+)\\.(\\d+)(?![\\w.]*\\d)");
    private static final Pattern LABEL_NUMBER = Pattern.compile("-?\\d+(?:\\.\\d+)?(?:E-?\\d+)?");

    @Test
    void everyDecimalInTheProseIsInTheFilesOrCited() throws IOException {
        List<String> page = Files.readAllLines(RESULTS.resolve("README.md"), StandardCharsets.UTF_8);
        List<String> unsourced = new ArrayList<>();
        int checked = 0;
        int preciseChecked = 0;
        int perturbedUnsourced = 0;
        for (Section section : sections(page)) {
            List<Double> sources = sources(section.folders());
            for (Quoted q : quoted(section)) {
                checked++;
                boolean precise = q.number().length() - q.number().indexOf('.') - 1 >= 3;
                if (!sourced(q.number(), sources)) {
                    unsourced.add("line " + q.line() + ": " + q.number() + "   in: " + q.text().strip());
                } else if (precise) {
                    preciseChecked++;
                    if (!sourced(perturbed(q.number()), sources)) {
                        perturbedUnsourced++;
                    } else if (Boolean.getBoolean("nin.results.loose")) {
                        System.out.println("loose: line " + q.line() + ": " + q.number());
                    }
                }
            }
        }
        System.out.printf("docs/results/README.md: %d numbers in the prose, all sourced; of the %d with three or more"
                + " decimals, %d would be caught with their last digit changed%n", checked, preciseChecked, perturbedUnsourced);
        assertTrue(checked > 50, "the check found only " + checked + " numbers: is the page there?");
        assertTrue(unsourced.isEmpty(), unsourced.size() + " numbers of docs/results/README.md have no source in"
                + " their section's CSVs (docs/results/SWEEP/*.csv) or sweep files, and stand in no citation"
                + " (> ... Source: ...):\n" + String.join("\n", unsourced));
        // The check can fail: most precise numbers, changed in their last digit, would no longer be sourced
        // (one or two decimals, such as a design's lr 0.1, have too many neighbours among the sources to tell).
        assertTrue(perturbedUnsourced > preciseChecked / 2, "only " + perturbedUnsourced + " of " + preciseChecked
                + " numbers would be caught if their last digit changed: the sources are too loose to check anything");
    }

    /** A heading's section: its lines, and the export folders it quotes (tables, charts, files it names). */
    record Section(int firstLine, List<String> lines, List<String> folders) {}

    /** A number in a section's prose, with the line it is on (1-based). */
    record Quoted(int line, String number, String text) {}

    private static final Pattern FOLDER = Pattern.compile("(?:table: |\\(|`|sweeps/)([a-z0-9][a-z0-9-]*)(?:/|\\.yaml)");

    static List<Section> sections(List<String> page) {
        List<Section> sections = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= page.size(); i++) {
            if (i == page.size() || page.get(i).startsWith("## ")) {
                List<String> lines = page.subList(start, i);
                List<String> folders = new ArrayList<>();
                for (String line : lines) {
                    Matcher m = FOLDER.matcher(line);
                    while (m.find()) {
                        if (Files.isDirectory(RESULTS.resolve(m.group(1))) && !folders.contains(m.group(1))) {
                            folders.add(m.group(1));
                        }
                    }
                }
                sections.add(new Section(start + 1, lines, folders));
                start = i;
            }
        }
        return sections;
    }

    static List<Quoted> quoted(Section section) {
        List<Quoted> out = new ArrayList<>();
        boolean inComment = false;
        for (int i = 0; i < section.lines().size(); i++) {
            String line = section.lines().get(i);
            if (inComment || line.contains("<!--")) {
                inComment = !line.contains("-->");
                continue;
            }
            if (line.startsWith("|") || line.startsWith("    ") || line.startsWith("#") || line.startsWith("![")
                    || line.startsWith(">")) {
                continue;
            }
            String prose = line.replaceAll("`[^`]*`", " ").replaceAll("\\]\\([^)]*\\)", "] ");
            Matcher m = NUMBER.matcher(prose);
            while (m.find()) {
                out.add(new Quoted(section.firstLine() + i, m.group(), line));
            }
        }
        return out;
    }

    /** The printed number with its last digit moved by one (9 → 8, else up). */
    private static String perturbed(String printed) {
        char last = printed.charAt(printed.length() - 1);
        return printed.substring(0, printed.length() - 1) + (char) (last == '9' ? '8' : last + 1);
    }

    @Test
    void everyCitationNamesItsSource() throws IOException {
        List<String> page = Files.readAllLines(RESULTS.resolve("README.md"), StandardCharsets.UTF_8);
        StringBuilder quote = new StringBuilder();
        for (String line : page) {
            if (line.startsWith(">")) {
                quote.append(line).append('\n');
            } else if (quote.length() > 0) {
                assertTrue(quote.toString().contains("Source:"), "a citation without its source:\n" + quote);
                quote.setLength(0);
            }
        }
    }

    /** Whether a printed number is a source value at its printed precision (sign aside: differences are quoted both ways). */
    private static boolean sourced(String printed, List<Double> sources) {
        String digits = printed.replace('−', '-').replace("+", "");
        double value = Math.abs(Double.parseDouble(digits));
        int decimals = digits.length() - digits.indexOf('.') - 1;
        double half = 0.5 * Math.pow(10, -decimals) + 1e-12;
        for (double source : sources) {
            if (Math.abs(Math.abs(source) - value) <= half) {
                return true;
            }
        }
        return false;
    }

    /** Every value a section may quote: its folders' exports and its sweep files. */
    private static List<Double> sources(List<String> folders) throws IOException {
        List<Double> values = new ArrayList<>();
        List<Path> csvs = new ArrayList<>();
        for (String folder : folders) {
            try (Stream<Path> files = Files.list(RESULTS.resolve(folder))) {
                files.filter(p -> p.toString().endsWith(".csv")).sorted().forEach(csvs::add);
            }
        }
        for (Path csv : csvs) {
            List<Map<String, String>> rows = ResultsPagesTest.csv(csv);
            for (Map<String, String> row : rows) {
                row.forEach((column, cell) -> cellValues(column, cell, values));
            }
            if (csv.getFileName().toString().equals("epochs.csv")) {
                epochMeans(rows, values);
            }
            if (csv.getFileName().toString().equals("differences.csv") || csv.getFileName().toString().equals("versus.csv")) {
                rows.forEach(r -> values.add(Double.parseDouble(r.get("high")) - Double.parseDouble(r.get("low"))));
            }
        }
        // The sweep file states the design before the run, in its keys and its comments.
        for (String folder : folders) {
            Path sweep = Path.of("sweeps", folder + ".yaml");
            if (Files.exists(sweep)) {
                for (String line : Files.readAllLines(sweep, StandardCharsets.UTF_8)) {
                    labelValues(line, values);
                }
            }
        }
        derived(csvs, values);
        return values;
    }

    /**
     * What the text computes from the files, and how: the spread (largest minus smallest) of each
     * configuration's trials in each column; ratios of resources (a / b, and a / b − 1 and 1 − a / b in
     * percent); and for two sweeps' trials, the two-sided rank-test p of complete separation,
     * 2 / C(n1 + n2, n1).
     */
    private static void derived(List<Path> csvs, List<Double> values) throws IOException {
        List<Integer> trialCounts = new ArrayList<>();
        for (Path csv : csvs) {
            String name = csv.getFileName().toString();
            List<Map<String, String>> rows = ResultsPagesTest.csv(csv);
            if (name.equals("trials.csv")) {
                trialCounts.add(rows.size());
                Map<String, List<Map<String, String>>> byConfiguration = new LinkedHashMap<>();
                rows.forEach(r -> byConfiguration.computeIfAbsent(r.get("configuration"), k -> new ArrayList<>()).add(r));
                for (List<Map<String, String>> group : byConfiguration.values()) {
                    for (String column : List.of("train_loss", "validation_accuracy", "test_accuracy")) {
                        List<Double> v = group.stream().map(r -> r.get(column)).filter(c -> !c.isEmpty())
                                .map(Double::parseDouble).toList();
                        if (!v.isEmpty()) {
                            values.add(v.stream().mapToDouble(d -> d).max().getAsDouble()
                                    - v.stream().mapToDouble(d -> d).min().getAsDouble());
                        }
                    }
                }
            }
            if (name.equals("resources.csv")) {
                for (String column : rows.get(0).keySet()) {
                    for (Map<String, String> a : rows) {
                        for (Map<String, String> b : rows) {
                            if (a != b && numeric(a.get(column)) && numeric(b.get(column))) {
                                double ratio = Double.parseDouble(a.get(column)) / Double.parseDouble(b.get(column));
                                values.add(ratio);
                                values.add((ratio - 1) * 100);
                                values.add((1 - ratio) * 100);
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < trialCounts.size(); i++) {
            for (int j = i + 1; j < trialCounts.size(); j++) {
                values.add(2 / binomial(trialCounts.get(i) + trialCounts.get(j), trialCounts.get(i)));
            }
        }
    }

    private static boolean numeric(String cell) {
        try {
            return Double.parseDouble(cell) != 0;
        } catch (NumberFormatException | NullPointerException e) {
            return false;
        }
    }

    private static double binomial(int n, int k) {
        double c = 1;
        for (int i = 1; i <= k; i++) {
            c = c * (n - k + i) / i;
        }
        return c;
    }

    private static void cellValues(String column, String cell, List<Double> values) {
        if (cell.isEmpty()) {
            return;
        }
        try {
            double v = Double.parseDouble(cell);
            values.add(v);
            if (column.contains("bytes")) {
                values.add(v / (1 << 20));
                values.add(v / (1 << 30));
            } else if (column.contains("flops")) {
                values.add(v / 1e9);
                values.add(v / 1e6);
            } else if (column.equals("parameters")) {
                values.add(v / 1e6);
            }
        } catch (NumberFormatException notANumber) {
            labelValues(cell, values);
        }
    }

    /** Numbers inside text: a configuration's label ({@code lr=0.045 … smoothing=0.1}), a YAML line. */
    private static void labelValues(String text, List<Double> values) {
        Matcher m = LABEL_NUMBER.matcher(text);
        while (m.find()) {
            values.add(Double.parseDouble(m.group()));
        }
    }

    /** The mean over seeds of each column of each epoch of each configuration (the curves the text reads). */
    private static void epochMeans(List<Map<String, String>> rows, List<Double> values) {
        Map<String, List<Map<String, String>>> groups = new LinkedHashMap<>();
        for (Map<String, String> row : rows) {
            groups.computeIfAbsent(row.get("configuration") + "|" + row.get("epoch"), k -> new ArrayList<>()).add(row);
        }
        for (List<Map<String, String>> group : groups.values()) {
            for (String column : List.of("train_loss", "train_accuracy", "validation_accuracy", "test_accuracy")) {
                double sum = 0;
                int n = 0;
                for (Map<String, String> row : group) {
                    if (!row.get(column).isEmpty()) {
                        sum += Double.parseDouble(row.get(column));
                        n++;
                    }
                }
                if (n > 0) {
                    values.add(sum / n);
                }
            }
        }
    }
}
