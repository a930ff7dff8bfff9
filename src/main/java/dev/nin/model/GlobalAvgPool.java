package dev.nin.model;

/** Global average pooling over height and width followed by flattening: C×H×W → C. */
public record GlobalAvgPool() implements LayerSpec {

    @Override
    public String kind() {
        return "global_avg_pool";
    }
}
