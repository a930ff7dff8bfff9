package dev.nin.model;

import dev.nin.data.ImageSet;

/** Random images and labels for graph tests in other packages. */
public final class GradientCheckTestImages {

    private GradientCheckTestImages() {}

    public static ImageSet random(int count, long seed) {
        return GradientCheckTest.randomImages(count, seed);
    }
}
