package dev.nin.model;

import dev.nin.config.UsageException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The named architectures {@code nin} knows. Each is a {@link ModelSpec}; the chapter's exercises
 * are answered by comparing them, never by branching on the name.
 */
public final class Variants {

    /** Fashion-MNIST has ten classes and one (grey) channel. */
    public static final int CLASSES = 10;

    public static final int CHANNELS = 1;

    /** The book's dropout rate before the last block. */
    public static final double BOOK_DROPOUT = 0.5;

    private static final Map<String, Variant> KNOWN = new LinkedHashMap<>();

    static {
        register("standard", "the book's network: four NiN blocks with two 1x1 convs each", Variants::standard);
        register("single-1x1", "exercise 2: every block keeps one 1x1 conv instead of two", Variants::single1x1);
        register("no-1x1", "no 1x1 convs at all: what the per-pixel MLPs buy", Variants::no1x1);
        register("gradual-head",
                "exercise 4: 384x5x5 reduced to 10 classes in steps (384->96->10) instead of one 3x3 conv",
                Variants::gradualHead);
        register("nin-bn", "the book's network with batch normalisation after every convolution: does it leave the"
                + " ln 10 plateau at once and take larger learning rates?", Variants::ninBn);
    }

    private Variants() {}

    /** A named variant with a one-line statement of the question it answers. */
    public record Variant(String name, String question, Supplier<ModelSpec> spec) {}

    private static void register(String name, String question, Supplier<ModelSpec> spec) {
        KNOWN.put(name, new Variant(name, question, spec));
    }

    /** All variants, in the order they are documented. */
    public static List<Variant> all() {
        return List.copyOf(KNOWN.values());
    }

    public static Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(KNOWN.get(name)).map(v -> v.spec().get());
    }

    /**
     * The spec of a named variant.
     *
     * @throws IllegalArgumentException naming the known variants when {@code name} is not one
     */
    public static ModelSpec named(String name) {
        return find(name).orElseThrow(() -> new UsageException(
                "variant: expected one of " + String.join(", ", KNOWN.keySet()) + ", found '" + name + "'"));
    }

    /** nin_block(96,11,4,0), pool, nin_block(256,5,1,2), pool, nin_block(384,3,1,1), pool, dropout, nin_block(10,3,1,1), GAP. */
    public static ModelSpec standard() {
        return withOneByOne("standard", NinBlock.BOOK_ONE_BY_ONE_CONVS);
    }

    public static ModelSpec single1x1() {
        return withOneByOne("single-1x1", 1);
    }

    public static ModelSpec no1x1() {
        return withOneByOne("no-1x1", 0);
    }

    /** {@link #standard()} with batch normalisation after each of its 12 convolutions (scale and shift replace the bias). */
    public static ModelSpec ninBn() {
        return standard().withBatchNorm("nin-bn");
    }

    public static ModelSpec gradualHead() {
        return new ModelSpec("gradual-head", CHANNELS, CLASSES, List.of(
                new NinBlock(96, 11, 4, 0, 2),
                new MaxPool(3, 2),
                new NinBlock(256, 5, 1, 2, 2),
                new MaxPool(3, 2),
                new NinBlock(384, 3, 1, 1, 2),
                new MaxPool(3, 2),
                new Dropout(BOOK_DROPOUT),
                // 384 -> 96 with the 3x3 conv and one 1x1, then 96 -> 10 with 1x1 convs.
                new NinBlock(96, 3, 1, 1, 1),
                new NinBlock(CLASSES, 1, 1, 0, 1),
                new GlobalAvgPool()));
    }

    private static ModelSpec withOneByOne(String name, int oneByOne) {
        return new ModelSpec(name, CHANNELS, CLASSES, List.of(
                new NinBlock(96, 11, 4, 0, oneByOne),
                new MaxPool(3, 2),
                new NinBlock(256, 5, 1, 2, oneByOne),
                new MaxPool(3, 2),
                new NinBlock(384, 3, 1, 1, oneByOne),
                new MaxPool(3, 2),
                new Dropout(BOOK_DROPOUT),
                new NinBlock(CLASSES, 3, 1, 1, oneByOne),
                new GlobalAvgPool()));
    }
}
