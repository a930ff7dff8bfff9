package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.IdxReader;
import dev.nin.serve.TestImages;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to the packaged app, one row per input: sweep files, flags, dataset files and images.
 * Each must exit with its documented code, say what is wrong in its first line of standard error
 * (matched exactly, or by a regex that cannot match an empty line), print no stack trace or
 * exception class, and leave the store and the nin home as they were: the row count of every
 * table and the set of files outside the database's own folder are compared before and after.
 *
 * <p>Fast on purpose: one embedded store for all cases (started once, with a few rows so the
 * counts are not all zero), huge inputs as fixtures that cost nothing (sparse files, a PNG header
 * claiming 40000x40000), and no case trains or loads TensorFlow.
 */
class BadInputIT {

    private static Path home;
    private static Path files;
    private static int port;
    private static NinProcess nin;
    private static long seededTrial;

    /**
     * @param name what the row tries
     * @param exit the documented exit code
     * @param firstLine matches the whole first line of standard error
     * @param oneLine whether standard error must be that line alone (picocli adds its usage to parse errors)
     */
    record Case(String name, int exit, Pattern firstLine, boolean oneLine, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The first line must be exactly {@code nin COMMAND: error: } followed by {@code message}. */
    private static Case exact(String name, int exit, String command, String message, String... args) {
        return new Case(name, exit, Pattern.compile(Pattern.quote("nin " + command + ": error: " + message)), true, List.of(args));
    }

    /** The first line must be {@code nin COMMAND: error: } followed by text matching {@code regex}. */
    private static Case matching(String name, int exit, String command, String regex, String... args) {
        return new Case(name, exit, Pattern.compile(Pattern.quote("nin " + command + ": error: ") + regex), true, List.of(args));
    }

    private static Path file(String name) {
        return files.resolve(name);
    }

    private static String at(String name) {
        return file(name).toString();
    }

    @BeforeAll
    static void oneStoreAndTheFixtures() throws Exception {
        home = StoreIT.fresh("bad-input-it-home");
        files = StoreIT.fresh("bad-input-it-files");
        port = NinProcess.freePort();
        nin = NinProcess.withHome(home, port);
        NinProcess.Result created = nin.run("runs");
        assertEquals(0, created.exitCode(), created.all());
        seededTrial = seed();
        writeFixtures();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (nin != null) {
            nin.run("db", "stop");
        }
    }

    /** A sweep named 'seeded' with one completed trial, written as nin's own role would. */
    private static long seed() throws SQLException {
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO sweeps (name, file, content_hash, content, metric, planned_trials)"
                    + " VALUES ('seeded', 'seeded.yaml', 'not-this-files-hash', 'name: seeded', 'train_loss', 1)");
            try (ResultSet r = s.executeQuery("INSERT INTO trials (sweep_id, plan_index, configuration, state, variant, seed,"
                    + " learning_rate, epochs, batch_size, resize, momentum, nesterov, weight_decay, dropout, train_limit,"
                    + " validation_size, test_limit, config, config_hash, nin_version, java_version)"
                    + " SELECT id, 0, 'no-1x1 lr=0.1', 'completed', 'no-1x1', 1, 0.1, 1, 64, 67, 0, false, 0, 0.5, 256, 0, 64,"
                    + " '{}', 'seeded-hash', 'test', 'test' FROM sweeps WHERE name = 'seeded' RETURNING id")) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void writeFixtures() throws IOException {
        // Sweep files.
        Files.writeString(file("second-document.yaml"), "name: two\nmetric: train_loss\n---\nbase: {lr: -5}\n");
        Files.write(file("latin1.yaml"), "name: l\nmetric: train_loss\ndescription: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(file("png-as.yaml"), TestImages.pngHeader(28, 28, false));
        Files.write(file("nul.yaml"), "name: n\nmetric: train_loss\n\0\0\0".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(file("folder.yaml"));
        sparse(file("huge.yaml"), new byte[0], 3L << 30);
        Files.writeString(file("nesterov.yaml"), "name: n\nmetric: train_loss\nbase:\n  nesterov: true\n");
        Files.writeString(file("nesterov-axis.yaml"), "name: n\nmetric: train_loss\naxes:\n  momentum: [0.0, 0.9]\n  nesterov: [true, false]\n");
        StringBuilder grid = new StringBuilder("name: huge-grid\nmetric: train_loss\naxes:\n");
        for (String key : List.of("lr", "epochs", "batch", "momentum", "weight_decay", "warmup_epochs", "label_smoothing", "step_gamma")) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                values.add(key.equals("epochs") || key.equals("batch") ? Integer.toString(i) : Double.toString(i / 20.0));
            }
            grid.append("  ").append(key).append(": [").append(String.join(", ", values)).append("]\n");
        }
        Files.writeString(file("grid.yaml"), grid);
        Files.writeString(file("seed.yaml"), "name: s\nmetric: train_loss\nseeds: [1, -1]\n");
        Files.writeString(file("threads.yaml"), "name: t\nmetric: train_loss\nthreads: 100000\n");
        Files.writeString(file("lr.yaml"), "name: l\nmetric: train_loss\nbase:\n  lr: -5\n");
        Files.writeString(file("typo.yaml"), "name: t\nmetric: train_loss\nbase:\n  learning_rate: 0.1\n");
        Files.writeString(file("broken.yaml"), "name: b\nbase: {lr: 0.1\n");
        Files.writeString(file("seeded.yaml"), "name: seeded\nmetric: train_loss\nbase: {variant: no-1x1, resize: 67, epochs: 1}\n");
        Files.writeString(file("ok.yaml"), "name: ok\nmetric: train_loss\nbase: {variant: no-1x1, resize: 67, epochs: 1}\n");

        // Dataset folders: a 3 GiB label file with a valid header, one of zeros, and truncated images.
        byte[] noImages = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(0).putInt(28).putInt(28).array();
        byte[] noLabels = ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC).putInt(0).array();
        byte[] labelsHeader = ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC).putInt(60_000).array();
        dataset("data-huge-labels", noImages, noLabels, labelsHeader);
        dataset("data-zero-labels", noImages, noLabels, new byte[0]);
        byte[] imagesHeader = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(60_000).putInt(28).putInt(28).array();
        Path truncated = Files.createDirectories(file("data-truncated"));
        Files.write(truncated.resolve("train-images-idx3-ubyte"), java.util.Arrays.copyOf(imagesHeader, 1000));
        Files.write(truncated.resolve("train-labels-idx1-ubyte"), noLabels);
        Files.write(truncated.resolve("t10k-images-idx3-ubyte"), noImages);
        Files.write(truncated.resolve("t10k-labels-idx1-ubyte"), noLabels);

        // Images.
        Files.write(file("big.png"), TestImages.pngHeader(40_000, 40_000, false));
        Files.write(file("corrupt.png"), TestImages.pngHeader(20, 20, true));
        Files.write(file("truncated.png"), TestImages.pngHeader(20, 20, false));
        Files.writeString(file("notes.png"), "not an image\n");
        Files.write(file("empty-idx3-ubyte"), noImages);
        sparse(file("huge-idx3-ubyte"), noImages, 3L << 30);
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", file("good.png").toFile());
    }

    /** The four Fashion-MNIST names; the training labels are {@code labelsHeader} and then a hole, 3 GiB in all. */
    private static void dataset(String name, byte[] images, byte[] testLabels, byte[] labelsHeader) throws IOException {
        Path dir = Files.createDirectories(file(name));
        Files.write(dir.resolve("train-images-idx3-ubyte"), images);
        sparse(dir.resolve("train-labels-idx1-ubyte"), labelsHeader, 3L << 30);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), testLabels);
    }

    /** {@code head}, then a hole up to {@code length}: a 3 GiB file that takes a few bytes of disk. */
    private static void sparse(Path path, byte[] head, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.write(head);
            f.setLength(length);
        }
    }

    static Stream<Case> cases() {
        String trial = Long.toString(seededTrial);
        return Stream.of(
                // Sweep files: exit 2, file:line:col where there is one.
                exact("second YAML document", 2, "sweep", at("second-document.yaml") + ":4:1: (second document): a sweep file"
                        + " holds one YAML document, found another after a '---' line; remove the '---' and what follows it,"
                        + " or move that part to a sweep file of its own", "sweep", at("second-document.yaml")),
                exact("Latin-1 bytes", 2, "sweep", at("latin1.yaml") + ":3:17: not UTF-8 text (byte 0xe9); save the file as UTF-8",
                        "sweep", at("latin1.yaml")),
                exact("a PNG given as sweep file", 2, "sweep", at("png-as.yaml") + ":1:1: not UTF-8 text (byte 0x89);"
                        + " save the file as UTF-8", "sweep", at("png-as.yaml")),
                exact("NUL bytes", 2, "sweep", at("nul.yaml") + ":3:1: a NUL byte: this is binary data, not a YAML text file;"
                        + " is this the right file?", "sweep", at("nul.yaml")),
                exact("missing sweep file", 2, "sweep", at("none.yaml") + ": no such file", "sweep", at("none.yaml")),
                exact("a directory as sweep file", 2, "sweep", at("folder.yaml") + ": is a directory; expected a sweep file (YAML)"
                        + " such as sweeps/quick.yaml", "sweep", at("folder.yaml")),
                exact("3 GiB sweep file", 2, "sweep", at("huge.yaml") + ": larger than 1 MiB, too large for a sweep file;"
                        + " is this the right file?", "sweep", at("huge.yaml")),
                exact("nesterov without momentum", 2, "sweep", at("nesterov.yaml") + ":4:13: base.nesterov: expected momentum > 0"
                        + " with Nesterov, found momentum 0; set base.momentum (e.g. 0.9) or drop nesterov", "sweep", at("nesterov.yaml")),
                exact("nesterov axis with momentum 0", 2, "sweep", at("nesterov-axis.yaml") + ":5:13: axes.nesterov: expected"
                        + " momentum > 0 with Nesterov, found momentum 0; take 0 out of axes.momentum or drop nesterov: true",
                        "sweep", at("nesterov-axis.yaml")),
                exact("grid of 10^8 configurations", 2, "sweep", at("grid.yaml") + ": plans 100,000,000 trials (10 x 10 x 10 x 10"
                        + " x 10 x 10 x 10 x 10 configurations x 1 seed), above the limit of 10,000; narrow the axes or draw a"
                        + " budget with strategy: random, or raise the limit with --plan-limit 100000000", "sweep", at("grid.yaml")),
                exact("seed -1 in a file", 2, "sweep", at("seed.yaml") + ":3:12: seeds[1]: expected 0 or more, found -1",
                        "sweep", at("seed.yaml")),
                exact("threads 100000 in a file", 2, "sweep", at("threads.yaml") + ":3:10: threads: expected 0 to 1024,"
                        + " found 100000", "sweep", at("threads.yaml")),
                exact("negative lr in a file", 2, "sweep", at("lr.yaml") + ":4:7: base.lr: expected a learning rate > 0,"
                        + " found -5", "sweep", at("lr.yaml")),
                matching("unknown key", 2, "sweep", Pattern.quote(at("typo.yaml") + ":4:3: base.learning_rate: unknown key;"
                        + " expected one of ") + "[a-z_, ]+ \\(did you mean lr\\?\\)", "sweep", at("typo.yaml")),
                matching("not YAML", 2, "sweep", Pattern.quote(at("broken.yaml")) + ":\\d+:\\d+: not valid YAML \\(.+\\)",
                        "sweep", at("broken.yaml")),
                matching("same name, other content (store opened)", 2, "sweep", Pattern.quote("sweep seeded: the store already"
                        + " has a sweep of this name with other content (from seeded.yaml, ") + "\\d{4}-\\d{2}-\\d{2}"
                        + Pattern.quote("). Rerun with --extend to add this file's new trials to it, or --new to keep the old"
                        + " one as 'seeded~") + "\\d+" + Pattern.quote("' and start afresh. Nothing was written."),
                        "sweep", at("seeded.yaml"), "--skip-estimate"),

                // Flags: exit 2, naming the flag; the same ranges as the sweep files above.
                exact("--seed -1", 2, "train", "--seed: expected 0 or more, found -1", "train", "--seed", "-1"),
                exact("--threads 100000", 2, "train", "--threads: expected 0 to 1024, found 100000", "train", "--threads", "100000"),
                exact("--lr -5", 2, "train", "--lr: expected a learning rate > 0, found -5", "train", "--lr", "-5"),
                exact("--nesterov alone", 2, "train", "--nesterov: expected momentum > 0 with Nesterov, found momentum 0;"
                        + " add --momentum (e.g. 0.9) or drop --nesterov", "train", "--nesterov"),
                exact("--epochs 0", 2, "train", "--epochs: expected 1 to 1000, found 0", "train", "--epochs", "0"),
                exact("--crop-padding 9", 2, "train", "--crop-padding: expected 0 to 8, found 9", "train", "--crop-padding", "9"),
                exact("--test-limit 20000", 2, "train", "--test-limit: expected 0 to 10000, found 20000", "train", "--test-limit", "20000"),
                new Case("--lr abc", 2, Pattern.compile(Pattern.quote("Invalid value for option '--lr': 'abc' is not a double")),
                        false, List.of("train", "--lr", "abc")),
                exact("sweep --top -5", 2, "sweep", "--top: expected 1 or more leaderboard rows, found -5",
                        "sweep", "--top", "-5", at("ok.yaml")),
                exact("sweep --plan-limit 0", 2, "sweep", "--plan-limit: expected 1 or more trials, found 0",
                        "sweep", "--plan-limit", "0", at("ok.yaml")),
                exact("sweep --new --extend", 2, "sweep", "--new and --extend: expected one of them, found both",
                        "sweep", "--new", "--extend", at("ok.yaml")),
                exact("leaderboard --top 0", 2, "leaderboard", "--top: expected 1 or more leaderboard rows, found 0",
                        "leaderboard", "seeded", "--top", "0"),
                exact("summary --batch 0", 2, "summary", "--batch: expected 1 to 4096, found 0", "summary", "--batch", "0"),
                exact("worker --max-trials -1", 2, "worker", "--max-trials: expected 0 (no limit) or more, found -1",
                        "worker", "--max-trials", "-1"),
                exact("worker --idle-timeout without --wait", 2, "worker",
                        "--idle-timeout: expected with --wait, found without it; add --wait", "worker", "--idle-timeout", "5"),
                exact("worker --wait --idle-timeout -1", 2, "worker",
                        "--idle-timeout: expected 0 (wait forever) or more seconds, found -1", "worker", "--wait", "--idle-timeout", "-1"),
                exact("sweep --enqueue-only --dry-run", 2, "sweep", "--enqueue-only and --dry-run: expected one of them, found both",
                        "sweep", "sweeps/quick.yaml", "--enqueue-only", "--dry-run"),
                matching("worker --sweep unknown (store opened)", 2, "worker",
                        Pattern.quote("sweep: no sweep named 'nosuch' in ") + "\\S+" + Pattern.quote("; start it with ./nin sweep FILE (or add --wait to wait for it)"),
                        "worker", "--sweep", "nosuch"),

                // Dataset files: exit 3, naming the file, without reading a 3 GiB file.
                exact("3 GiB train-labels-idx1-ubyte", 3, "train", at("data-huge-labels") + "/train-labels-idx1-ubyte: expected"
                        + " 60,008 bytes from its header, found 3,221,225,472 (trailing bytes); delete it and fetch it again",
                        "train", "--data", at("data-huge-labels")),
                exact("3 GiB of zeros as labels", 3, "train", at("data-zero-labels") + "/train-labels-idx1-ubyte: expected an IDX"
                        + " labels file (magic 0x00000801), found magic 0x00000000; is this the right file?",
                        "train", "--data", at("data-zero-labels")),
                exact("truncated training images", 3, "train", at("data-truncated") + "/train-images-idx3-ubyte: expected"
                        + " 47,040,016 bytes from its header, found 1,000 (truncated); delete it and fetch it again",
                        "train", "--data", at("data-truncated")),
                matching("--data with no dataset", 3, "train", Pattern.quote("--data " + at("nowhere")
                        + ": expected the four Fashion-MNIST files (") + ".+" + Pattern.quote("), found no such folder"),
                        "train", "--data", at("nowhere")),

                // Images for predict: exit 3 for the file, checked before the store is asked for the trial.
                exact("40000x40000 PNG", 3, "predict", at("big.png") + ": 40000x40000 pixels is above the limit of 64 megapixels;"
                        + " scale it down first (the model sees 28x28)", "predict", "--trial", trial, at("big.png")),
                exact("corrupt PNG data", 3, "predict", at("corrupt.png") + ": cannot read the image: Error reading PNG image"
                        + " data: incorrect header check", "predict", "--trial", trial, at("corrupt.png")),
                exact("PNG without its data", 3, "predict", at("truncated.png") + ": cannot read the image: the file ends early;"
                        + " it is truncated or not a whole image", "predict", "--trial", trial, at("truncated.png")),
                exact("text named .png", 3, "predict", at("notes.png") + ": not a PNG or JPEG image (or an IDX file named"
                        + " *-idx3-ubyte[.gz])", "predict", "--trial", trial, at("notes.png")),
                exact("IDX with 0 images", 3, "predict", at("empty-idx3-ubyte") + ": its header says 0 images; expected at least"
                        + " one image to classify", "predict", "--trial", trial, at("empty-idx3-ubyte")),
                exact("3 GiB IDX images", 3, "predict", at("huge-idx3-ubyte") + ": expected 16 bytes from its header, found"
                        + " 3,221,225,472 (trailing bytes); delete it and fetch it again", "predict", "--trial", trial,
                        at("huge-idx3-ubyte")),
                exact("missing image", 3, "predict", at("none.png") + ": no such file", "predict", "--trial", trial, at("none.png")),
                exact("a directory as image", 3, "predict", files + ": is a directory, expected an image file (PNG, JPEG or IDX)",
                        "predict", "--trial", trial, files.toString()),
                exact("predict --top 0", 2, "predict", "--top: expected 1 to 10, found 0", "predict", "--trial", trial,
                        "--top", "0", at("good.png")),
                exact("a trial without a saved model (store opened)", 2, "predict", "trial " + trial + " (completed) has no saved"
                        + " model; train with ./nin train --save-model, or sweep with --save-models",
                        "predict", "--trial", trial, at("good.png")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedInOneClearLineAndNothingIsWritten(Case c) throws Exception {
        Map<String, Long> rowsBefore = rowCounts();
        Set<String> filesBefore = homeFiles();

        NinProcess.Result r = nin.run(c.args().toArray(String[]::new));

        String[] errLines = r.err().split("\n");
        assertEquals(c.exit(), r.exitCode(), r.all());
        assertFalse(errLines[0].isEmpty(), "standard error starts with the reason: " + r.all());
        assertTrue(c.firstLine().matcher(errLines[0]).matches(), "first line of stderr:\n" + errLines[0] + "\nexpected:\n"
                + c.firstLine().pattern());
        if (c.oneLine()) {
            assertEquals(1, r.err().strip().lines().count(), "one line on stderr:\n" + r.err());
        }
        assertFalse(r.all().contains("\tat "), "no stack trace:\n" + r.all());
        assertFalse(Pattern.compile("\\b\\w+(Exception|Error)\\b").matcher(r.all()).find(), "no exception class:\n" + r.all());
        assertEquals(rowsBefore, rowCounts(), "no row written or removed");
        assertEquals(filesBefore, homeFiles(), "no file created or removed in the nin home");
    }

    /** Rows in every table of the store, by table. */
    private static Map<String, Long> rowCounts() throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = TestDb.connect(home, port); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
                while (r.next()) {
                    tables.add(r.getString(1));
                }
            }
            assertTrue(tables.contains("trials") && tables.contains("sweeps"), "tables: " + tables);
            for (String table : tables) {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM \"" + table + "\"")) {
                    r.next();
                    counts.put(table, r.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Every file under the nin home except the database server's own folder (its WAL and logs change on every connection). */
    private static Set<String> homeFiles() throws IOException {
        Path database = home.resolve("postgres");
        try (Stream<Path> walk = Files.walk(home)) {
            return walk.filter(p -> !p.startsWith(database)).map(p -> home.relativize(p).toString())
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
