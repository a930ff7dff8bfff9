package dev.nin.serve;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Hand-written image files for tests: a PNG header claiming any size costs a few dozen bytes, so
 * "a 40000x40000 image" needs neither 1.6 GB on disk nor the time to encode it.
 */
public final class TestImages {

    private TestImages() {}

    /**
     * A PNG of {@code width} x {@code height} 8-bit grey pixels as far as its header goes: the
     * signature, an IHDR chunk with a correct CRC, and IEND. With {@code idat} false there is no
     * pixel data at all, which a reader only notices when it decodes.
     */
    public static byte[] pngHeader(int width, int height, boolean idat) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            // width, height, bit depth 8, colour type 0 (grey), compression, filter, interlace
            chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
                    .put((byte) 0).put((byte) 0).put((byte) 0).array());
            if (idat) {
                chunk(out, "IDAT", new byte[] {1, 2, 3}); // not a zlib stream: corrupt image data
            }
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory does not fail", e);
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
