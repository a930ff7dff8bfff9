package dev.nin.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicePlanTest {

    @Test
    void cpuIsAlwaysCpuWithoutNotice() {
        DevicePlan plan = DevicePlan.choose(DeviceRequest.CPU, true, true);
        assertFalse(plan.gpu());
        assertEquals(DevicePlan.CPU_CLASSIFIER, plan.nativesClassifier());
        assertTrue(plan.notice().isEmpty());
    }

    @Test
    void autoPicksTheGpuOnlyWhenDriverAndLibrariesArePresent() {
        assertTrue(DevicePlan.choose(DeviceRequest.AUTO, true, true).gpu());
        assertFalse(DevicePlan.choose(DeviceRequest.AUTO, true, false).gpu());
        assertFalse(DevicePlan.choose(DeviceRequest.AUTO, false, true).gpu());
        assertTrue(DevicePlan.choose(DeviceRequest.AUTO, false, false).notice().isEmpty());
    }

    @Test
    void gpuRequestFallsBackToCpuWithOneLineSayingWhy() {
        DevicePlan noDriver = DevicePlan.choose(DeviceRequest.GPU, false, true);
        assertFalse(noDriver.gpu());
        assertTrue(noDriver.notice().orElseThrow().contains("no NVIDIA GPU"));
        DevicePlan noLibraries = DevicePlan.choose(DeviceRequest.GPU, true, false);
        assertFalse(noLibraries.gpu());
        assertTrue(noLibraries.notice().orElseThrow().contains("GPU libraries are not installed"));
        DevicePlan gpu = DevicePlan.choose(DeviceRequest.GPU, true, true);
        assertTrue(gpu.gpu());
        assertEquals(DevicePlan.GPU_CLASSIFIER, gpu.nativesClassifier());
    }

    @Test
    void parsesRequestsAndNamesBadOnes() {
        assertEquals(DeviceRequest.GPU, DeviceRequest.parse("GPU"));
        assertEquals(DeviceRequest.AUTO, DeviceRequest.parse(" auto "));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> DeviceRequest.parse("tpu"));
        assertTrue(error.getMessage().contains("expected auto, cpu or gpu, found 'tpu'"));
    }
}
