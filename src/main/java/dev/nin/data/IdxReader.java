package dev.nin.data;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format) whole, gzipped or not, and checks them before anything is
 * used: magic number, dimensions, exact length, and the SHA-256 of the decompressed bytes.
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
     * Reads an image file.
     *
     * @param expectedSha256 hex SHA-256 of the decompressed bytes, or null to skip the check
     */
    public static Images readImages(Path file, String expectedSha256) {
        ByteBuffer data = ByteBuffer.wrap(readVerified(file, expectedSha256));
        int magic = header(file, data, IMAGES_MAGIC, "images");
        int count = data.getInt();
        int rows = data.getInt();
        int columns = data.getInt();
        if (count < 0 || rows <= 0 || columns <= 0) {
            throw new DataException(file + ": header says " + count + " images of " + rows + "x" + columns
                    + "; the file is corrupt: delete it and fetch it again");
        }
        long expected = 16L + (long) count * rows * columns;
        checkLength(file, data.capacity(), expected, magic);
        byte[] pixels = new byte[count * rows * columns];
        data.get(pixels);
        return new Images(count, rows, columns, pixels);
    }

    /** Reads a label file; see {@link #readImages}. */
    public static Labels readLabels(Path file, String expectedSha256) {
        ByteBuffer data = ByteBuffer.wrap(readVerified(file, expectedSha256));
        int magic = header(file, data, LABELS_MAGIC, "labels");
        int count = data.getInt();
        if (count < 0) {
            throw new DataException(file + ": header says " + count + " labels; the file is corrupt");
        }
        checkLength(file, data.capacity(), 8L + count, magic);
        byte[] values = new byte[count];
        data.get(values);
        return new Labels(count, values);
    }

    private static int header(Path file, ByteBuffer data, int expectedMagic, String what) {
        if (data.capacity() < 8) {
            throw new DataException(file + ": " + data.capacity()
                    + " bytes is too short for an IDX header; the file is truncated: delete it and fetch it again");
        }
        int magic = data.getInt();
        if (magic != expectedMagic) {
            throw new DataException(String.format(
                    "%s: expected an IDX %s file (magic 0x%08x), found magic 0x%08x; is this the right file?",
                    file, what, expectedMagic, magic));
        }
        return magic;
    }

    private static void checkLength(Path file, long actual, long expected, int magic) {
        if (actual != expected) {
            throw new DataException(file + ": expected " + expected + " bytes from its header, found " + actual
                    + (actual < expected ? " (truncated)" : " (trailing bytes)")
                    + "; delete it and fetch it again");
        }
    }

    private static byte[] readVerified(Path file, String expectedSha256) {
        byte[] bytes;
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            bytes = readAll(in);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (EOFException e) {
            throw new DataException(file + ": the gzip stream ends early (truncated download?); delete it and fetch it again", e);
        } catch (ZipException e) {
            throw new DataException(file + ": not a valid gzip file (" + e.getMessage() + "); delete it and fetch it again", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (expectedSha256 != null) {
            String actual = sha256(bytes);
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new DataException(file + ": SHA-256 of the decompressed content is " + actual + ", expected "
                        + expectedSha256 + "; the file is corrupt or not Fashion-MNIST: delete it and fetch it again");
            }
        }
        return bytes;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        in.transferTo(out);
        return out.toByteArray();
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
