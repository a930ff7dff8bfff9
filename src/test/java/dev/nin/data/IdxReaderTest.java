package dev.nin.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsGzippedAndPlainFilesAndChecksTheirChecksum() throws Exception {
        byte[] content = IdxFiles.images(3, 28, 28);
        Path gz = IdxFiles.write(dir.resolve("x-images.gz"), content);
        Path plain = IdxFiles.write(dir.resolve("x-images"), content);
        IdxReader.Images fromGz = IdxReader.readImages(gz, IdxReader.sha256(content));
        IdxReader.Images fromPlain = IdxReader.readImages(plain, IdxReader.sha256(content));
        assertEquals(3, fromGz.count());
        assertEquals(28, fromGz.rows());
        assertArrayEquals(Arrays.copyOfRange(content, 16, content.length), fromGz.pixels());
        assertArrayEquals(fromGz.pixels(), fromPlain.pixels());

        byte[] labels = IdxFiles.labels(5);
        IdxReader.Labels read = IdxReader.readLabels(IdxFiles.write(dir.resolve("l.gz"), labels), IdxReader.sha256(labels));
        assertEquals(5, read.count());
        assertEquals(4, read.values()[4]);
    }

    @Test
    void truncatedFileNamesTheFileAndTheFix() throws Exception {
        byte[] content = IdxFiles.images(3, 28, 28);
        Path file = IdxFiles.write(dir.resolve("short-images"), Arrays.copyOf(content, content.length - 100));
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(file, null));
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("truncated"), error.getMessage());
        assertTrue(error.getMessage().contains("fetch it again"), error.getMessage());
    }

    @Test
    void truncatedGzipStreamIsAnError() throws Exception {
        Path whole = IdxFiles.write(dir.resolve("whole.gz"), IdxFiles.images(50, 28, 28));
        byte[] gz = Files.readAllBytes(whole);
        Path cut = Files.write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(cut, null));
        assertTrue(error.getMessage().contains(cut.toString()), error.getMessage());
    }

    @Test
    void wrongMagicSaysWhatWasExpected() throws Exception {
        Path labelsAsImages = IdxFiles.write(dir.resolve("labels"), IdxFiles.labels(10));
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(labelsAsImages, null));
        assertTrue(error.getMessage().contains("expected an IDX images file (magic 0x00000803), found magic 0x00000801"),
                error.getMessage());
    }

    @Test
    void wrongChecksumIsRejected() throws Exception {
        byte[] content = IdxFiles.images(2, 28, 28);
        Path file = IdxFiles.write(dir.resolve("images.gz"), content);
        content[100] ^= 1;
        String otherSha = IdxReader.sha256(content);
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(file, otherSha));
        assertTrue(error.getMessage().contains("SHA-256"), error.getMessage());
        assertTrue(error.getMessage().contains("expected " + otherSha), error.getMessage());
    }

    @Test
    void missingFileIsAnError() {
        Path missing = dir.resolve("nothing.gz");
        DataException error = assertThrows(DataException.class, () -> IdxReader.readLabels(missing, null));
        assertEquals(missing + ": no such file", error.getMessage());
    }

    @Test
    void notGzipIsAnError() throws Exception {
        Path fake = Files.writeString(dir.resolve("fake.gz"), "<html>mirror error page</html>");
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(fake, null));
        assertTrue(error.getMessage().contains("not a valid gzip file"), error.getMessage());
    }

    /** A 3 GiB sparse file: refused from its header and size in milliseconds, never read (it would not fit the heap). */
    @Test
    void aFileLargerThanItsHeaderSaysIsRefusedWithoutReadingIt() throws Exception {
        Path huge = dir.resolve("train-labels-idx1-ubyte");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.write(java.nio.ByteBuffer.allocate(8).putInt(IdxReader.LABELS_MAGIC).putInt(60_000).array());
            f.setLength(3L << 30);
        }
        long start = System.nanoTime();
        DataException error = assertThrows(DataException.class, () -> IdxReader.readLabels(huge, null));
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "refused without reading 3 GiB");
        assertEquals(huge + ": expected 60,008 bytes from its header, found 3,221,225,472 (trailing bytes);"
                + " delete it and fetch it again", error.getMessage());
    }

    @Test
    void aHeaderClaimingMoreThanTheLimitIsRefusedBeforeAllocating() throws Exception {
        byte[] header = java.nio.ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(1_000_000).putInt(28).putInt(28)
                .array();
        Path gz = IdxFiles.write(dir.resolve("lying-images.gz"), header);
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(gz, null));
        assertEquals(gz + ": header says 1000000 images of 28x28 (784,000,016 bytes), above the 256 MiB nin reads;"
                + " is this the right file?", error.getMessage());
    }

    @Test
    void aGzipBodyShorterThanItsHeaderSaysIsTruncated() throws Exception {
        byte[] content = IdxFiles.images(3, 28, 28);
        Path gz = IdxFiles.write(dir.resolve("short-images.gz"), Arrays.copyOf(content, content.length - 10));
        DataException error = assertThrows(DataException.class, () -> IdxReader.readImages(gz, null));
        assertEquals(gz + ": expected 2,368 bytes from its header, found 2,358 (truncated); delete it and fetch it again",
                error.getMessage());
    }

    @Test
    void aDirectoryIsNamedAsOne() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("t10k-images-idx3-ubyte"));
        assertEquals(folder + ": is a directory, expected an IDX file",
                assertThrows(DataException.class, () -> IdxReader.readImages(folder, null)).getMessage());
    }
}
