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
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Turns user files into what the model takes: 28x28 grey uint8 images. PNG and JPEG of any size
 * are converted to grey and scaled (bilinear) to 28x28; IDX image files give all their images.
 * Fashion-MNIST shows light garments on a black background; photos should look the same.
 */
public final class ImageInput {

    /** One image to classify, with where it came from. */
    public record Named(String name, byte[] pixels) {}

    private ImageInput() {}

    public static List<Named> read(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": no such file");
        }
        if (name.contains("idx3") || name.endsWith(".idx") || name.endsWith("-ubyte") || name.endsWith("-ubyte.gz")) {
            IdxReader.Images images = IdxReader.readImages(file, null);
            if (images.rows() != ImageSet.SIDE || images.columns() != ImageSet.SIDE) {
                throw new DataException(file + ": expected 28x28 images, found " + images.rows() + "x" + images.columns());
            }
            List<Named> out = new ArrayList<>();
            for (int i = 0; i < images.count(); i++) {
                byte[] pixels = new byte[ImageSet.PIXELS];
                System.arraycopy(images.pixels(), i * ImageSet.PIXELS, pixels, 0, ImageSet.PIXELS);
                out.add(new Named(file.getFileName() + "[" + i + "]", pixels));
            }
            return out;
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new DataException(file + ": cannot read the image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new DataException(file + ": not a PNG or JPEG image (or an IDX file named *-idx3-ubyte[.gz])");
        }
        return List.of(new Named(file.getFileName().toString(), grey28(image)));
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
