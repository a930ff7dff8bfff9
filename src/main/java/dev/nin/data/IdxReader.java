package dev.nin.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format) whole, gzipped or not, and checks them before anything is
 * used: magic number, dimensions, exact length, and the SHA-256 of the decompressed bytes. The
 * header is read and checked first, and a plain file's size compared with the size the header
 * implies, so a wrong or huge file is refused before its body is read.
 */
public final class IdxReader {

    /** Magic of an unsigned-byte IDX file with three dimensions (images). */
    public static final int IMAGES_MAGIC = 0x0803;

    /** Magic of an unsigned-byte IDX file with one dimension (labels). */
    public static final int LABELS_MAGIC = 0x0801;

    private IdxReader() {}

    /** Images: {@code count} × rows × columns unsigned bytes, row-major. */
    public record Images(int count, int rows, int columns, byte[] pixels) {}

    /** Labels: {@code count} unsigned bytes. */
    public record Labels(int count, byte[] values) {}

    /**
     * The largest IDX file read, decompressed: five times Fashion-MNIST's training images (47 MB).
     * The body is read into one array after the header is checked, so a header that implies more
     * is refused before that memory is spent (nin's heap is 1 GiB).
     */
    public static final long MAX_BYTES = 256L << 20;

    /** What a header says: the magic, the counts, and the length of the whole file it implies. */
    private record Header(int magic, int count, int rows, int columns, int headerBytes, long totalBytes) {}

    /**
     * Reads an image file.
     *
     * @param expectedSha256 hex SHA-256 of the decompressed bytes, or null to skip the check
     */
    public static Images readImages(Path file, String expectedSha256) {
        Header h = checkImages(file);
        byte[] data = readVerified(file, h, expectedSha256);
        return new Images(h.count(), h.rows(), h.columns(), Arrays.copyOfRange(data, h.headerBytes(), data.length));
    }

    /** Reads a label file; see {@link #readImages}. */
    public static Labels readLabels(Path file, String expectedSha256) {
        Header h = checkLabels(file);
        byte[] data = readVerified(file, h, expectedSha256);
        return new Labels(h.count(), Arrays.copyOfRange(data, h.headerBytes(), data.length));
    }

    /**
     * Checks an image file's header, and for a plain file its size against the size the header
     * implies, reading only the header: a 3 GiB file is refused without reading it.
     */
    public static void checkImageFile(Path file) {
        checkImages(file);
    }

    /** As {@link #checkImageFile} for a label file. */
    public static void checkLabelFile(Path file) {
        checkLabels(file);
    }

    private static Header checkImages(Path file) {
        ByteBuffer b = ByteBuffer.wrap(readHeader(file, 16, "images"));
        int magic = magic(file, b, IMAGES_MAGIC, "images");
        int count = b.getInt();
        int rows = b.getInt();
        int columns = b.getInt();
        if (count < 0 || rows <= 0 || columns <= 0) {
            throw new DataException(file + ": header says " + count + " images of " + rows + "x" + columns
                    + "; the file is corrupt: delete it and fetch it again");
        }
        return checked(file, new Header(magic, count, rows, columns, 16, 16L + (long) count * rows * columns),
                count + " images of " + rows + "x" + columns);
    }

    private static Header checkLabels(Path file) {
        ByteBuffer b = ByteBuffer.wrap(readHeader(file, 8, "labels"));
        int magic = magic(file, b, LABELS_MAGIC, "labels");
        int count = b.getInt();
        if (count < 0) {
            throw new DataException(file + ": header says " + count + " labels; the file is corrupt");
        }
        return checked(file, new Header(magic, count, 1, 1, 8, 8L + count), count + " labels");
    }

    /** The header's size against the limit and, for a plain file, against the file's size on disk. */
    private static Header checked(Path file, Header h, String what) {
        if (h.totalBytes() > MAX_BYTES) {
            throw new DataException(String.format(Locale.ROOT, "%s: header says %s (%,d bytes), above the %d MiB nin reads;"
                    + " is this the right file?", file, what, h.totalBytes(), MAX_BYTES >> 20));
        }
        if (!gzipped(file)) {
            long size;
            try {
                size = Files.size(file);
            } catch (IOException e) {
                throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            checkLength(file, size, h.totalBytes());
        }
        return h;
    }

    private static boolean gzipped(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    private static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, expected an IDX file");
        }
        InputStream raw = Files.newInputStream(file);
        try {
            return gzipped(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    private static byte[] readHeader(Path file, int length, String what) {
        byte[] header;
        try (InputStream in = open(file)) {
            header = in.readNBytes(length);
        } catch (IOException e) {
            throw readFailure(file, e);
        }
        if (header.length < length) {
            throw new DataException(file + ": " + header.length + " bytes is too short for the header of an IDX " + what
                    + " file (" + length + " bytes); the file is truncated: delete it and fetch it again");
        }
        return header;
    }

    private static int magic(Path file, ByteBuffer data, int expectedMagic, String what) {
        int magic = data.getInt();
        if (magic != expectedMagic) {
            throw new DataException(String.format(
                    "%s: expected an IDX %s file (magic 0x%08x), found magic 0x%08x; is this the right file?",
                    file, what, expectedMagic, magic));
        }
        return magic;
    }

    private static void checkLength(Path file, long actual, long expected) {
        if (actual != expected) {
            throw new DataException(String.format(Locale.ROOT, "%s: expected %,d bytes from its header, found %,d%s;"
                    + " delete it and fetch it again", file, expected, actual, actual < expected ? " (truncated)" : " (trailing bytes)"));
        }
    }

    /**
     * The whole file, decompressed, exactly as long as its (already checked) header says. A gzip
     * stream has no size to check up front, so at most one byte past that length is read.
     */
    private static byte[] readVerified(Path file, Header h, String expectedSha256) {
        byte[] bytes;
        try (InputStream in = open(file)) {
            // Grows only as data arrives, so a gzip header that lies about the length costs nothing.
            bytes = in.readNBytes((int) h.totalBytes() + 1);
        } catch (IOException e) {
            throw readFailure(file, e);
        }
        checkLength(file, bytes.length, h.totalBytes());
        if (expectedSha256 != null) {
            String actual = sha256(bytes);
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new DataException(file + ": SHA-256 of the decompressed content is " + actual + ", expected "
                        + expectedSha256 + "; the file is corrupt or not Fashion-MNIST: delete it and fetch it again");
            }
        }
        return bytes;
    }

    private static DataException readFailure(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file + ": no such file");
        }
        if (e instanceof AccessDeniedException) {
            return new DataException(file + ": permission denied; make the file readable by this user");
        }
        if (e instanceof EOFException) {
            return new DataException(file + ": the gzip stream ends early (truncated download?); delete it and fetch it again", e);
        }
        if (e instanceof ZipException) {
            return new DataException(file + ": not a valid gzip file (" + e.getMessage() + "); delete it and fetch it again", e);
        }
        return new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
    }

    /** Hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
