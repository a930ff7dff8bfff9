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
}
