package dev.nin.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.data.DatasetLocator;
import dev.nin.data.FashionMnist;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A trained, exported model used through DJL: evaluate reproduces the recorded accuracy, predict names classes. */
class PredictIT {

    private static Path home;
    private static NinProcess nin;
    private static long trial;

    @BeforeAll
    static void trainAndExport() throws Exception {
        home = StoreIT.fresh("predict-it-home");
        nin = NinProcess.withHome(home, NinProcess.freePort());
        NinProcess.Result train = nin.run("train", "--variant", "no-1x1", "--resize", "67", "--epochs", "2", "--batch", "64",
                "--train-limit", "4000", "--test-limit", "500", "--lr", "0.02", "--momentum", "0.9", "--save-model");
        assertEquals(0, train.exitCode(), train.all());
        Matcher m = Pattern.compile("trial (\\d+), recorded").matcher(train.out());
        assertTrue(m.find(), train.out());
        trial = Long.parseLong(m.group(1));
        assertTrue(train.out().contains("model saved to "), train.out());
    }

    @AfterAll
    static void stopServer() throws Exception {
        nin.run("db", "stop");
    }

    @Test
    void evaluateReproducesTheRecordedTestAccuracy() throws Exception {
        NinProcess.Result result = nin.run("evaluate", "--trial", Long.toString(trial));
        assertEquals(0, result.exitCode(), result.all());
        Matcher m = Pattern.compile("test accuracy (\\d\\.\\d+) on 500 images.*recorded (\\d\\.\\d+)").matcher(result.out());
        assertTrue(m.find(), result.out());
        assertEquals(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(1)), 1e-6, result.out());
        // The model folder's own card says which trial and configuration it is, and how it ended.
        Matcher story = Pattern.compile("model of trial " + trial + ": no-1x1 .*config sha256 [0-9a-f]{12}.*"
                + "after epoch 2: train loss \\d\\.\\d{4}, test accuracy (\\d\\.\\d{4})").matcher(result.out());
        assertTrue(story.find(), result.out());
        assertEquals(Double.parseDouble(m.group(2)), Double.parseDouble(story.group(1)), 1e-4, result.out());
    }

    @Test
    void predictNamesTheClassOfAKnownImage() throws Exception {
        // A trouser from the test set (label 1), saved as a PNG four times its size.
        FashionMnist data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
        int index = -1;
        for (int i = 0; i < data.test().size() && index < 0; i++) {
            if (data.test().label(i) == 1) {
                index = i;
            }
        }
        BufferedImage image = new BufferedImage(112, 112, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 112; y++) {
            for (int x = 0; x < 112; x++) {
                int v = data.test().pixels()[index * 784 + (y / 4) * 28 + x / 4] & 0xff;
                image.getRaster().setSample(x, y, 0, v);
            }
        }
        Path png = home.resolve("trouser.png");
        ImageIO.write(image, "png", png.toFile());
        NinProcess.Result result = nin.run("predict", "--trial", Long.toString(trial), png.toString(),
                "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
        assertEquals(0, result.exitCode(), result.all());
        assertTrue(result.out().matches("(?s).*trouser\\.png\\s+Trouser\\s+0\\.\\d{3}.*"), result.out());
        assertTrue(result.out().contains("t10k-images-idx3-ubyte.gz[9999]"), "every image of the IDX file is classified");
        assertTrue(result.out().matches("(?s).*10001 images in .* ms .* peak process memory .*"), result.out());

        // The folder alone, as copied to another machine: its card says which trial it is; the store is not asked.
        Path folder = home.resolve("models").resolve("trial-" + trial);
        NinProcess.Result byFolder = NinProcess.withHome(StoreIT.fresh("predict-it-elsewhere"), NinProcess.freePort())
                .run("predict", "--model", folder.toString(), png.toString());
        assertEquals(0, byFolder.exitCode(), byFolder.all());
        assertTrue(byFolder.out().contains("model of trial " + trial + ": no-1x1 "), byFolder.out());
        assertTrue(byFolder.out().matches("(?s).*trouser\\.png\\s+Trouser\\s+0\\.\\d{3}.*"), byFolder.out());
        NinProcess.Result notAModel = nin.run("predict", "--model", home.toString(), png.toString());
        assertEquals(ExitCode.USAGE.code, notAModel.exitCode(), notAModel.all());
        assertTrue(notAModel.err().contains("--model: " + home + " holds no saved_model.pb"), notAModel.err());
        NinProcess.Result both = nin.run("predict", "--trial", Long.toString(trial), "--model", folder.toString(), png.toString());
        assertEquals(ExitCode.USAGE.code, both.exitCode(), both.all());

        NinProcess.Result missing = nin.run("predict", "--trial", "999999", png.toString());
        assertEquals(ExitCode.USAGE.code, missing.exitCode(), missing.all());
        assertTrue(missing.err().contains("no trial 999999"), missing.err());
    }
}
