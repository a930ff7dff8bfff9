package dev.nin.model;

/** An activation's shape for one image: channels × height × width. */
public record Shape3(int channels, int height, int width) {

    public long elements() {
        return (long) channels * height * width;
    }

    /** As the book prints it: {@code 96x54x54}, or {@code 10} for a flat vector. */
    @Override
    public String toString() {
        return height == 1 && width == 1 ? channels + "x1x1" : channels + "x" + height + "x" + width;
    }
}
