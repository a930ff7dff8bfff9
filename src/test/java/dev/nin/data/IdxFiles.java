package dev.nin.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
final class IdxFiles {

    private IdxFiles() {}

    static byte[] images(int count, int rows, int columns) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * columns);
        b.putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns);
        for (int i = 0; i < count * rows * columns; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    static byte[] labels(int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + count);
        b.putInt(IdxReader.LABELS_MAGIC).putInt(count);
        for (int i = 0; i < count; i++) {
            b.put((byte) (i % 10));
        }
        return b.array();
    }

    static Path write(Path file, byte[] content) throws IOException {
        if (file.getFileName().toString().endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
                out.write(content);
            }
        } else {
            Files.write(file, content);
        }
        return file;
    }
}
