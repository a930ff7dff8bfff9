package dev.nin.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

/** Reading the CPU's bfloat16 support from /proc/cpuinfo text, and a GPU's from nvidia-smi's answer. */
class CpuFeaturesTest {

    private static String cpuinfo(String model, String flags) {
        // Two processors, as /proc/cpuinfo lists every one; the first is read.
        return "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: " + model + "\nflags\t\t: " + flags
                + "\n\nprocessor\t: 1\nmodel name\t: " + model + "\nflags\t\t: fpu\n";
    }

    @Test
    void avx512Bf16IsBf16Arithmetic() {
        CpuFeatures zen5 = CpuFeatures.parse(cpuinfo("AMD EPYC 9R45", "fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni"));
        assertTrue(zen5.bf16Arithmetic());
        assertEquals("avx512_bf16", zen5.bf16Flag());
        assertEquals("AMD EPYC 9R45", zen5.modelName());
    }

    @Test
    void identityIsVendorFamilyModelAndStepping() {
        CpuFeatures icelake = CpuFeatures.parse("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 106\n"
                + "model name\t: Intel(R) Xeon(R) Processor @ 2.80GHz\nstepping\t: 6\nflags\t\t: avx2 avx512f\n\n"
                + "processor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\n");
        assertEquals("GenuineIntel family 6 model 106 stepping 6", icelake.identity());
        assertEquals("GenuineIntel family 6 model 106 stepping 6 (Intel(R) Xeon(R) Processor @ 2.80GHz), avx512_bf16 no,"
                + " amx_bf16 no", icelake.description());
        assertEquals("unknown", CpuFeatures.parse("flags: avx2\n").identity());
    }

    @Test
    void amxIsBf16Arithmetic() {
        CpuFeatures sapphire = CpuFeatures.parse(cpuinfo("Intel Xeon", "avx512f amx_tile amx_bf16 amx_int8"));
        assertTrue(sapphire.bf16Arithmetic());
        assertEquals("amx_bf16", sapphire.bf16Flag());
    }

    @Test
    void avx2OrAvx512WithoutBf16IsNot() {
        assertFalse(CpuFeatures.parse(cpuinfo("AMD EPYC", "fpu sse2 avx f16c avx2 fma")).bf16Arithmetic());
        // AVX-512 alone (Skylake, Zen 4 without the BF16 extension) converts but does not multiply bf16.
        assertFalse(CpuFeatures.parse(cpuinfo("Intel Xeon", "avx2 avx512f avx512bw avx512_vnni")).bf16Arithmetic());
        assertEquals("", CpuFeatures.parse(cpuinfo("x", "avx2")).bf16Flag());
    }

    @Test
    void unreadableOrEmptyTextHasNothing() {
        CpuFeatures none = CpuFeatures.parse("");
        assertFalse(none.bf16Arithmetic());
        assertEquals("unknown", none.modelName());
        assertFalse(CpuFeatures.UNKNOWN.bf16Arithmetic());
    }

    @Test
    void thisMachinesAnswerMatchesItsFlagsLine() throws Exception {
        String text = java.nio.file.Files.readString(CpuFeatures.PROC_CPUINFO);
        String flags = text.lines().filter(l -> l.startsWith("flags")).findFirst().orElse("");
        boolean expected = (" " + flags + " ").contains(" avx512_bf16 ") || (" " + flags + " ").contains(" amx_bf16 ");
        assertEquals(expected, CpuFeatures.ofThisMachine().bf16Arithmetic(), flags);
    }

    @Test
    void gpuComputeCapabilityFromNvidiaSmi() {
        assertEquals(OptionalDouble.of(8.6), GpuFeatures.computeCapability("8.6\n"));
        assertEquals(OptionalDouble.of(7.5), GpuFeatures.computeCapability("7.5\n8.0\n"), "the first GPU's");
        assertEquals(OptionalDouble.empty(), GpuFeatures.computeCapability("[N/A]\n"));
        assertEquals(OptionalDouble.empty(), GpuFeatures.computeCapability(null));
    }
}
