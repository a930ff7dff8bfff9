package dev.nin.engine;

import java.util.Optional;

/**
 * The device a run will use, chosen before TensorFlow loads (the native libraries differ).
 *
 * @param gpu true to load the CUDA build and place the graph on {@code /device:GPU:0}
 * @param nativesClassifier Maven classifier of the native libraries to load
 * @param notice one line to show the user when the choice differs from the request, if any
 */
public record DevicePlan(boolean gpu, String nativesClassifier, Optional<String> notice) {

    public static final String CPU_CLASSIFIER = "linux-x86_64";

    public static final String GPU_CLASSIFIER = "linux-x86_64-gpu";

    /**
     * Chooses the device.
     *
     * @param request what the user asked for
     * @param nvidiaGpuPresent whether an NVIDIA driver is visible on this host
     * @param gpuNativesInstalled whether the CUDA build of TensorFlow's libraries is unpacked
     */
    public static DevicePlan choose(DeviceRequest request, boolean nvidiaGpuPresent, boolean gpuNativesInstalled) {
        return switch (request) {
            case CPU -> cpu(Optional.empty());
            case AUTO -> nvidiaGpuPresent && gpuNativesInstalled ? onGpu() : cpu(Optional.empty());
            case GPU -> {
                if (!nvidiaGpuPresent) {
                    yield cpu(Optional.of("--device gpu: no NVIDIA GPU found on this machine; running on the CPU"));
                }
                if (!gpuNativesInstalled) {
                    yield cpu(Optional.of("--device gpu: TensorFlow's GPU libraries are not installed "
                            + "(./nin unpacks them when an NVIDIA driver is present at build time; rebuild with "
                            + "'mvn -Pgpu package'); running on the CPU"));
                }
                yield onGpu();
            }
        };
    }

    private static DevicePlan cpu(Optional<String> notice) {
        return new DevicePlan(false, CPU_CLASSIFIER, notice);
    }

    private static DevicePlan onGpu() {
        return new DevicePlan(true, GPU_CLASSIFIER, Optional.empty());
    }
}
