package dev.nin.data;

import dev.nin.config.UsageException;
import java.util.SplittableRandom;

/**
 * Labelled 28x28 grey images held as unsigned bytes, the form they are fed to the graph in.
 *
 * @param pixels {@code count × 28 × 28} bytes, row-major, image after image
 * @param labels {@code count} class indices 0…9
 */
public record ImageSet(byte[] pixels, byte[] labels) {

    public static final int SIDE = 28;

    public static final int PIXELS = SIDE * SIDE;

    public ImageSet {
        if (pixels.length != labels.length * PIXELS) {
            throw new UsageException("pixels: expected " + labels.length * PIXELS + " bytes for "
                    + labels.length + " images, found " + pixels.length);
        }
    }

    public int size() {
        return labels.length;
    }

    public int label(int index) {
        return labels[index];
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet select(int[] indices, int from, int to) {
        byte[] p = new byte[(to - from) * PIXELS];
        byte[] l = new byte[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels, indices[i] * PIXELS, p, (i - from) * PIXELS, PIXELS);
            l[i - from] = labels[indices[i]];
        }
        return new ImageSet(p, l);
    }

    /** The first {@code n} images (all when n ≤ 0 or n ≥ size). */
    public ImageSet head(int n) {
        if (n <= 0 || n >= size()) {
            return this;
        }
        return select(identity(size()), 0, n);
    }

    /** 0, 1, …, n-1. */
    public static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** A seeded Fisher–Yates permutation of 0…n-1. */
    public static int[] permutation(int n, long seed) {
        int[] order = identity(n);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
