package dev.nin.engine;

/**
 * What a run executes on; recorded with every run.
 *
 * @param device DJL's name of the device, e.g. {@code cpu()} or {@code gpu(0)}
 * @param gpu whether the graph is placed on the GPU
 * @param tensorflowVersion version reported by DJL's TensorFlow engine, e.g. {@code 2.16.1}
 * @param djlVersion DJL's version
 * @param oneDnn whether TF_ENABLE_ONEDNN_OPTS was on when TensorFlow loaded
 * @param bf16Arithmetic whether the device multiplies bfloat16 natively (CPU: AVX512_BF16 or AMX;
 *     GPU: compute capability 8.0 or later), so bf16 training is faster than float32 there
 * @param bf16Source what {@code bf16Arithmetic} was read from, for messages (e.g. {@code avx512_bf16})
 * @param processor what computes, for figures to say where they came from: the CPU's
 *     {@link CpuFeatures#description()}, or the GPU's name
 */
public record RuntimeInfo(String device, boolean gpu, String tensorflowVersion, String djlVersion, boolean oneDnn,
        boolean bf16Arithmetic, String bf16Source, String processor) {}
