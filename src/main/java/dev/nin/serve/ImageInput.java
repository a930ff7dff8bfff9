package dev.nin.serve;

import dev.nin.data.DataException;
import dev.nin.data.IdxReader;
import dev.nin.data.ImageSet;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Turns user files into what the model takes: 28x28 grey uint8 images. PNG and JPEG of any size
 * are converted to grey and scaled (bilinear) to 28x28; IDX image files give all their images.
 * Fashion-MNIST shows light garments on a black background; photos should look the same.
 */
public final class ImageInput {

    /** One image to classify, with where it came from. */
    public record Named(String name, byte[] pixels) {}

    private ImageInput() {}

    /**
     * The most pixels an image may have: a 48-megapixel phone photo fits; decoding one takes up to
     * 4 bytes a pixel (256 MB here) of nin's 1 GiB heap. Checked from the header before decoding.
     */
    public static final long MAX_PIXELS = 64_000_000L;

    /**
     * The images in {@code file}: one for a PNG or JPEG, all of an IDX file's. Every problem is one
     * line naming the file ({@link DataException}); sizes are checked before anything is decoded.
     */
    public static List<Named> read(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!Files.exists(file)) {
            throw new DataException(file + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, expected an image file (PNG, JPEG or IDX)");
        }
        if (!Files.isReadable(file)) {
            throw new DataException(file + ": permission denied; make the file readable by this user");
        }
        if (name.contains("idx3") || name.endsWith(".idx") || name.endsWith("-ubyte") || name.endsWith("-ubyte.gz")) {
            return idx(file);
        }
        BufferedImage image = decode(file);
        return List.of(new Named(file.getFileName().toString(), grey28(image)));
    }

    private static List<Named> idx(Path file) {
        IdxReader.Images images = IdxReader.readImages(file, null);
        if (images.rows() != ImageSet.SIDE || images.columns() != ImageSet.SIDE) {
            throw new DataException(file + ": expected 28x28 images, found " + images.rows() + "x" + images.columns());
        }
        if (images.count() == 0) {
            throw new DataException(file + ": its header says 0 images; expected at least one image to classify");
        }
        List<Named> out = new ArrayList<>();
        for (int i = 0; i < images.count(); i++) {
            byte[] pixels = new byte[ImageSet.PIXELS];
            System.arraycopy(images.pixels(), i * ImageSet.PIXELS, pixels, 0, ImageSet.PIXELS);
            out.add(new Named(file.getFileName() + "[" + i + "]", pixels));
        }
        return out;
    }

    /** Decodes a PNG or JPEG after reading its dimensions from the header and refusing oversized ones. */
    private static BufferedImage decode(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DataException(file + ": not a PNG or JPEG image (or an IDX file named *-idx3-ubyte[.gz])");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > MAX_PIXELS) {
                    throw new DataException(String.format(java.util.Locale.ROOT,
                            "%s: %dx%d pixels is above the limit of %d megapixels; scale it down first (the model sees 28x28)",
                            file, width, height, MAX_PIXELS / 1_000_000));
                }
                if (width < 1 || height < 1) {
                    throw new DataException(file + ": the header says " + width + "x" + height + " pixels; the image is corrupt");
                }
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read the image: " + reason(e), e);
        }
    }

    /**
     * Why ImageIO could not read an image, in words: its own messages are often empty wrappers
     * ("Caught exception during read: ") around the real cause.
     */
    static String reason(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof java.io.EOFException) {
                return "the file ends early; it is truncated or not a whole image";
            }
            String m = c.getMessage();
            if (m != null && !m.isBlank() && !m.startsWith("Caught exception during read")) {
                parts.add(m.strip());
            }
        }
        return parts.isEmpty() ? "the data is corrupt" : String.join(": ", parts);
    }

    /** Grey 28x28 pixels of {@code image}, scaled bilinearly. */
    static byte[] grey28(BufferedImage image) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage grey = new BufferedImage(ImageSet.SIDE, ImageSet.SIDE, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = grey.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image, 0, 0, ImageSet.SIDE, ImageSet.SIDE, null);
        g.dispose();
        byte[] pixels = new byte[ImageSet.PIXELS];
        grey.getRaster().getDataElements(0, 0, ImageSet.SIDE, ImageSet.SIDE, pixels);
        return pixels;
    }
}
