package dev.nin.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Loads TensorFlow through DJL's TensorFlow engine from native libraries that the build unpacked
 * from Maven Central ({@code org.tensorflow:tensorflow-core-native}), never from DJL's download
 * server. DJL must load first: it tells JavaCPP where the libraries are, and touching any
 * {@code org.tensorflow} class before that fails.
 *
 * <p>A process loads TensorFlow once; this object remembers what it loaded.
 */
public final class TensorFlowRuntime {

    /**
     * The oneDNN inside TensorFlow 2.16.1's natives ({@code tensorflow-core-native} 1.0.0-rc.1), as
     * its {@code ONEDNN_VERBOSE} info line reports it; OneDnnPrimitivesTest reads that line.
     */
    public static final String ONEDNN_VERSION = "3.3.4";


    /** System property naming the folder that holds one sub-folder per native classifier. */
    public static final String NATIVES_ROOT_PROPERTY = "nin.natives.root";

    /** DJL's own override: a folder holding libjnitensorflow.so and TensorFlow's libraries. */
    public static final String DJL_LIBRARY_PATH = "TENSORFLOW_LIBRARY_PATH";

    private static final String JNI_LIBRARY = "libjnitensorflow.so";

    private final Path nativesRoot;
    private RuntimeInfo loaded;

    /** @param nativesRoot folder with {@code linux-x86_64/} (and {@code linux-x86_64-gpu/} when present) */
    public TensorFlowRuntime(Path nativesRoot) {
        this.nativesRoot = nativesRoot;
    }

    /** From the {@value #NATIVES_ROOT_PROPERTY} system property the launcher sets, else {@code target/natives}. */
    public static TensorFlowRuntime fromSystemProperties() {
        return new TensorFlowRuntime(Path.of(System.getProperty(NATIVES_ROOT_PROPERTY, "target/natives")));
    }

    /** Whether an NVIDIA driver is visible (the kernel module exposes this file). */
    public static boolean nvidiaGpuPresent() {
        return Files.exists(Path.of("/proc/driver/nvidia/version"));
    }

    public boolean nativesInstalled(String classifier) {
        return Files.isRegularFile(nativesRoot.resolve(classifier).resolve(JNI_LIBRARY));
    }

    /**
     * Loads TensorFlow for {@code request} (once per process) and reports what it runs on.
     *
     * @param notices receives a line when the device differs from the request
     * @throws NativeLibraryException when the libraries are missing or broken
     */
    public synchronized RuntimeInfo load(DeviceRequest request, Consumer<String> notices) {
        if (loaded != null) {
            return loaded;
        }
        DevicePlan plan = DevicePlan.choose(request, nvidiaGpuPresent(), nativesInstalled(DevicePlan.GPU_CLASSIFIER));
        plan.notice().ifPresent(notices);
        String override = System.getenv(DJL_LIBRARY_PATH);
        Path folder = override != null && !override.isBlank() ? Path.of(override) : nativesRoot.resolve(plan.nativesClassifier());
        if (!Files.isRegularFile(folder.resolve(JNI_LIBRARY))) {
            throw new NativeLibraryException("TensorFlow's native libraries are not in " + folder.toAbsolutePath()
                    + " (expected " + JNI_LIBRARY + ", libtensorflow_cc.so.2, libtensorflow_framework.so.2). Fix: run "
                    + "'mvn -q generate-resources' in the nin folder (./nin does it on first use), which unpacks them from "
                    + "Maven Central's org.tensorflow:tensorflow-core-native:1.0.0-rc.1:" + plan.nativesClassifier()
                    + ", or point " + DJL_LIBRARY_PATH + " at a folder that holds them.", null);
        }
        System.setProperty(DJL_LIBRARY_PATH, folder.toAbsolutePath().toString());
        Engine engine;
        try {
            engine = Engine.getEngine("TensorFlow");
            // Touch the native side now so a broken library fails here, with our message.
            org.tensorflow.TensorFlow.version();
        } catch (RuntimeException | LinkageError e) {
            throw new NativeLibraryException("TensorFlow's native libraries in " + folder.toAbsolutePath()
                    + " failed to load (" + rootMessage(e) + "). Fix: delete that folder and run 'mvn -q generate-resources' "
                    + "to unpack them again; for the GPU build, CUDA 12 and cuDNN 8.9 must be installed.", e);
        }
        boolean gpu = plan.gpu();
        if (gpu && engine.getGpuCount() == 0) {
            notices.accept("TensorFlow's GPU build loaded but sees no usable GPU (CUDA 12 / cuDNN 8.9 missing?); "
                    + "running on the CPU");
            gpu = false;
        }
        Device device = gpu ? Device.gpu(0) : Device.cpu();
        boolean oneDnn = "1".equals(System.getenv("TF_ENABLE_ONEDNN_OPTS"));
        boolean bf16;
        String bf16Source;
        String processor;
        if (gpu) {
            java.util.OptionalDouble capability = GpuFeatures.computeCapability();
            processor = "GPU 0, compute capability " + (capability.isPresent() ? capability.getAsDouble() : "unknown");
            bf16 = capability.orElse(0) >= GpuFeatures.BF16_COMPUTE_CAPABILITY;
            bf16Source = "GPU compute capability " + (bf16 ? ">= " : "< ") + GpuFeatures.BF16_COMPUTE_CAPABILITY;
        } else {
            CpuFeatures cpu = CpuFeatures.ofThisMachine();
            processor = cpu.description();
            // oneDNN does TensorFlow's bfloat16 convolutions; with its optimisations off, Eigen emulates them.
            bf16 = cpu.bf16Arithmetic() && oneDnn;
            bf16Source = cpu.bf16Arithmetic() ? (oneDnn ? cpu.bf16Flag() : cpu.bf16Flag() + " but TF_ENABLE_ONEDNN_OPTS=0")
                    : "no avx512_bf16 or amx_bf16 in /proc/cpuinfo";
        }
        loaded = new RuntimeInfo(device.toString(), gpu, engine.getVersion(), Engine.getDjlVersion(), oneDnn, bf16,
                bf16Source, processor);
        return loaded;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
