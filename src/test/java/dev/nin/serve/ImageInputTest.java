package dev.nin.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nin.data.DataException;
import dev.nin.data.IdxReader;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageInputTest {

    @TempDir
    Path dir;

    @Test
    void anOversizedImageIsRefusedFromItsHeaderWithoutDecoding() throws Exception {
        Path big = Files.write(dir.resolve("big.png"), TestImages.pngHeader(40_000, 40_000, false));
        DataException e = assertThrows(DataException.class, () -> ImageInput.read(big));
        assertEquals(big + ": 40000x40000 pixels is above the limit of 64 megapixels; scale it down first"
                + " (the model sees 28x28)", e.getMessage());
    }

    @Test
    void corruptImageDataSaysWhyNotCaughtExceptionDuringRead() throws Exception {
        Path corrupt = Files.write(dir.resolve("corrupt.png"), TestImages.pngHeader(20, 20, true));
        DataException e = assertThrows(DataException.class, () -> ImageInput.read(corrupt));
        assertEquals(corrupt + ": cannot read the image: Error reading PNG image data: incorrect header check", e.getMessage());

        Path noData = Files.write(dir.resolve("nodata.png"), TestImages.pngHeader(20, 20, false));
        e = assertThrows(DataException.class, () -> ImageInput.read(noData));
        assertEquals(noData + ": cannot read the image: the file ends early; it is truncated or not a whole image", e.getMessage());
    }

    @Test
    void notAnImageMissingAndADirectoryAreNamed() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "hello");
        assertEquals(text + ": not a PNG or JPEG image (or an IDX file named *-idx3-ubyte[.gz])",
                assertThrows(DataException.class, () -> ImageInput.read(text)).getMessage());
        assertEquals(dir.resolve("none.png") + ": no such file",
                assertThrows(DataException.class, () -> ImageInput.read(dir.resolve("none.png"))).getMessage());
        Path folder = Files.createDirectory(dir.resolve("photos.png"));
        assertEquals(folder + ": is a directory, expected an image file (PNG, JPEG or IDX)",
                assertThrows(DataException.class, () -> ImageInput.read(folder)).getMessage());
    }

    @Test
    void anIdxFileWithNoImagesIsOneLineNotAnIndexError() throws Exception {
        byte[] header = ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(0).putInt(28).putInt(28).array();
        Path empty = Files.write(dir.resolve("empty-idx3-ubyte"), header);
        assertEquals(empty + ": its header says 0 images; expected at least one image to classify",
                assertThrows(DataException.class, () -> ImageInput.read(empty)).getMessage());
    }

    @Test
    void aNormalImageStillReads() throws Exception {
        Path png = dir.resolve("ok.png");
        ImageIO.write(new BufferedImage(56, 40, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        List<ImageInput.Named> images = ImageInput.read(png);
        assertEquals(1, images.size());
        assertEquals(28 * 28, images.get(0).pixels().length);
    }
}
