package dev.nin.model;

/**
 * Max pooling with a square window and no padding ("VALID"), as the book's {@code MaxPool2d(3, stride=2)}.
 *
 * @param window side of the pooling window, in pixels (≥ 1)
 * @param stride step between windows (≥ 1)
 */
public record MaxPool(int window, int stride) implements LayerSpec {

    public MaxPool {
        Checks.atLeast("max_pool.window", window, 1);
        Checks.atLeast("max_pool.stride", stride, 1);
    }

    @Override
    public String kind() {
        return "max_pool";
    }
}
