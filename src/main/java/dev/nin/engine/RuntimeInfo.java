package dev.nin.engine;

/**
 * What a run executes on; recorded with every run.
 *
 * @param device DJL's name of the device, e.g. {@code cpu()} or {@code gpu(0)}
 * @param gpu whether the graph is placed on the GPU
 * @param tensorflowVersion version reported by DJL's TensorFlow engine, e.g. {@code 2.16.1}
 * @param djlVersion DJL's version
 * @param oneDnn whether TF_ENABLE_ONEDNN_OPTS was on when TensorFlow loaded
 */
public record RuntimeInfo(String device, boolean gpu, String tensorflowVersion, String djlVersion, boolean oneDnn) {}
