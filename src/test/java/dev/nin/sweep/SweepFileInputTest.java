package dev.nin.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a sweep file that cannot be read or holds more than one document is told, in one line. */
class SweepFileInputTest {

    @TempDir
    Path dir;

    private String error(Path file) {
        return assertThrows(SweepFileException.class, () -> SweepParser.parse(file)).getMessage();
    }

    @Test
    void aSecondYamlDocumentIsRefusedNotIgnored() throws Exception {
        Path file = Files.writeString(dir.resolve("two.yaml"), "name: t\nmetric: train_loss\n---\nbase: {lr: -5}\n");
        assertEquals(file + ":4:1: (second document): a sweep file holds one YAML document, found another after a '---' line;"
                + " remove the '---' and what follows it, or move that part to a sweep file of its own", error(file));
    }

    @Test
    void aLeadingDocumentMarkerAndATrailingEmptyDocumentAreFine() {
        SweepFile sweep = SweepParser.parse("t.yaml", "---\nname: t\nmetric: train_loss\n---\n");
        assertEquals("t", sweep.name(), "the one document is read");
    }

    @Test
    void bytesThatAreNotUtf8AreLocated() throws Exception {
        byte[] latin1 = "name: t\nmetric: train_loss\ndescription: caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("latin1.yaml"), latin1);
        assertEquals(file + ":3:17: not UTF-8 text (byte 0xe9); save the file as UTF-8", error(file));
    }

    @Test
    void columnsCountCharactersNotBytes() throws Exception {
        byte[] bytes = "name: t\n# \u00e9\u00e9 x".getBytes(StandardCharsets.UTF_8);
        byte[] withBad = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        withBad[bytes.length] = (byte) 0xff;
        Path file = Files.write(dir.resolve("bad.yaml"), withBad);
        assertEquals(file + ":2:7: not UTF-8 text (byte 0xff); save the file as UTF-8", error(file));
    }

    @Test
    void binaryDataIsCalledBinary() throws Exception {
        Path file = Files.write(dir.resolve("model.yaml"), new byte[] {'n', 'a', 'm', 'e', 0, 1, 2});
        assertEquals(file + ":1:5: a NUL byte: this is binary data, not a YAML text file; is this the right file?", error(file));
    }

    @Test
    void missingDirectoryAndHugeFilesSayWhy() throws Exception {
        assertEquals(dir.resolve("none.yaml") + ": no such file", error(dir.resolve("none.yaml")));
        assertEquals(dir + ": is a directory; expected a sweep file (YAML) such as sweeps/quick.yaml", error(dir));
        Path huge = dir.resolve("huge.yaml");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: costs nothing, and must not be read
        }
        assertEquals(huge + ": larger than 1 MiB, too large for a sweep file; is this the right file?", error(huge));
    }

    @Test
    void nesterovWithoutMomentumCarriesItsPosition() {
        SweepFileException base = assertThrows(SweepFileException.class,
                () -> SweepParser.parse("n.yaml", "name: n\nmetric: train_loss\nbase:\n  nesterov: true\n"));
        assertEquals("n.yaml:4:13: base.nesterov: expected momentum > 0 with Nesterov, found momentum 0;"
                + " set base.momentum (e.g. 0.9) or drop nesterov", base.getMessage());
        SweepFileException axis = assertThrows(SweepFileException.class, () -> SweepParser.parse("n.yaml",
                "name: n\nmetric: train_loss\naxes:\n  momentum: [0.0, 0.9]\n  nesterov: [true, false]\n"));
        assertEquals("n.yaml:5:13: axes.nesterov: expected momentum > 0 with Nesterov, found momentum 0;"
                + " take 0 out of axes.momentum or drop nesterov: true", axis.getMessage());
        // With momentum in every trial, Nesterov is fine.
        SweepParser.parse("n.yaml", "name: n\nmetric: train_loss\nbase: {momentum: 0.9}\naxes:\n  nesterov: [true, false]\n");
    }

    @Test
    void aBinaryFileIsReportedAtItsFirstProblem() throws Exception {
        // A PNG: byte 0x89 (not UTF-8) comes before its first NUL.
        Path png = Files.write(dir.resolve("image.yaml"), new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0});
        assertEquals(png + ":1:1: not UTF-8 text (byte 0x89); save the file as UTF-8", error(png));
    }

    @Test
    void yamlSyntaxErrorsAreOneLine() {
        SweepFileException e = assertThrows(SweepFileException.class, () -> SweepParser.parse("b.yaml", "name: b\nbase: {lr: 0.1\n"));
        assertEquals("b.yaml:2:15: not valid YAML (while parsing a flow mapping; expected ',' or '}', but got <stream end>)",
                e.getMessage());
    }
}
