package dev.nin.engine;

/** TensorFlow on the CPU for plain JUnit tests; the native library loads once per test JVM. */
public final class TestRuntime {

    private static final TensorFlowRuntime RUNTIME = TensorFlowRuntime.fromSystemProperties();

    private TestRuntime() {}

    public static RuntimeInfo cpu() {
        return RUNTIME.load(DeviceRequest.CPU, line -> {});
    }
}
