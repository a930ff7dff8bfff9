package dev.nin.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The real dataset, from Debian's dataset-fashion-mnist package (installed by .ci/run). */
class FashionMnistTest {

    @Test
    void loadsAndVerifiesDebiansFiles() {
        assertTrue(FashionMnist.present(DatasetLocator.DEBIAN_FOLDER),
                "install Debian's dataset-fashion-mnist package (.ci/run does)");
        FashionMnist data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
        assertEquals(60_000, data.train().size());
        assertEquals(10_000, data.test().size());
        int[] perClass = new int[10];
        for (int i = 0; i < data.train().size(); i++) {
            perClass[data.train().label(i)]++;
        }
        for (int count : perClass) {
            assertEquals(6_000, count, "Fashion-MNIST's training set is balanced");
        }
    }

    @Test
    void validationSplitIsDisjointAndFixedBySeed() {
        FashionMnist data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
        DataOptions options = new DataOptions(1000, 500, 200);
        DataOptions.Splits a = options.apply(data, 1);
        DataOptions.Splits b = options.apply(data, 1);
        DataOptions.Splits c = options.apply(data, 2);
        assertEquals(1000, a.train().size());
        assertEquals(500, a.validation().size());
        assertEquals(200, a.test().size());
        assertEquals(java.util.Arrays.hashCode(a.validation().pixels()), java.util.Arrays.hashCode(b.validation().pixels()));
        assertNotEquals(java.util.Arrays.hashCode(a.validation().pixels()), java.util.Arrays.hashCode(c.validation().pixels()));
    }

    /**
     * No training image is also a validation image: with every image used (50,000 + 10,000), the
     * two parts together are the training set, image for image (compared by content; images
     * Fashion-MNIST holds twice may sit on both sides, once each).
     */
    @Test
    void trainingAndValidationImagesAreDisjointAndTogetherTheWholeTrainingSet() {
        FashionMnist data = FashionMnist.load(DatasetLocator.DEBIAN_FOLDER);
        DataOptions.Splits splits = new DataOptions(0, 10_000, 0).apply(data, DataOptions.SPLIT_SEED);
        assertEquals(50_000, splits.train().size());
        assertEquals(10_000, splits.validation().size());
        java.util.Map<Long, Integer> remaining = new java.util.HashMap<>();
        for (int i = 0; i < data.train().size(); i++) {
            remaining.merge(key(data.train(), i), 1, Integer::sum);
        }
        for (ImageSet part : java.util.List.of(splits.train(), splits.validation())) {
            for (int i = 0; i < part.size(); i++) {
                int left = remaining.merge(key(part, i), -1, Integer::sum);
                assertTrue(left >= 0, "an image used more often than the training set holds it: in both parts");
            }
        }
        assertTrue(remaining.values().stream().allMatch(n -> n == 0), "every training image is in one part");
    }

    /** 64 bits of an image's pixels and label. */
    private static long key(ImageSet set, int index) {
        byte[] image = java.util.Arrays.copyOfRange(set.pixels(), index * ImageSet.PIXELS, (index + 1) * ImageSet.PIXELS);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(image);
        crc.update(set.label(index));
        return ((long) java.util.Arrays.hashCode(image) << 32) ^ crc.getValue();
    }
}
