package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nin.config.Knob;
import dev.nin.engine.RuntimeInfo;
import dev.nin.model.ComputePrecision;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What each request computes in on each kind of device, and the one line that says so. */
class PrecisionChoiceTest {

    static RuntimeInfo cpu(boolean bf16) {
        return new RuntimeInfo("cpu()", false, "2.16.1", "0.36.0", true, bf16,
                bf16 ? "avx512_bf16" : "no avx512_bf16 or amx_bf16 in /proc/cpuinfo", "test CPU");
    }

    private static RuntimeInfo gpu(boolean bf16) {
        return new RuntimeInfo("gpu(0)", true, "2.16.1", "0.36.0", true, bf16, "GPU compute capability >= 8.0", "test GPU");
    }

    /** A measurement that must not be taken. */
    private static PrecisionChoice.Speeds unmeasured() {
        throw new AssertionError("auto measured where the device has no bf16 arithmetic");
    }

    @Test
    void autoTakesBf16OnlyWhereItMeasuresFasterByTheMargin() {
        for (RuntimeInfo device : List.of(cpu(true), gpu(true))) {
            // Intel AVX512_BF16 without AMX, measured: bf16 0.61x fp32 in training.
            PrecisionChoice slower = PrecisionChoice.choose(PrecisionChoice.Request.AUTO, device,
                    () -> new PrecisionChoice.Speeds(320.1, 190.0));
            assertEquals(ComputePrecision.FP32, slower.precision(), "a flag is not a speed: " + slower.reason());
            assertEquals("auto: fp32, training fp32 320.1 vs bf16 190.0 img/s measured", slower.reason());
            // AMD Zen 5, measured with PyTorch: bf16 1.66x fp32.
            PrecisionChoice faster = PrecisionChoice.choose(PrecisionChoice.Request.AUTO, device,
                    () -> new PrecisionChoice.Speeds(300, 498));
            assertEquals(ComputePrecision.BF16, faster.precision());
            assertTrue(faster.notice().isEmpty());
        }
        // Within the margin the two are one speed, and fp32 (the book's) is kept; at the margin bf16 is taken.
        assertEquals(ComputePrecision.FP32, PrecisionChoice.choose(PrecisionChoice.Request.AUTO, cpu(true),
                () -> new PrecisionChoice.Speeds(100, 104.9)).precision());
        assertEquals(ComputePrecision.BF16, PrecisionChoice.choose(PrecisionChoice.Request.AUTO, cpu(true),
                () -> new PrecisionChoice.Speeds(100, 105)).precision());
    }

    @Test
    void autoIsFp32UnmeasuredWithoutBf16Arithmetic() {
        PrecisionChoice avx2 = PrecisionChoice.choose(PrecisionChoice.Request.AUTO, cpu(false), PrecisionChoiceTest::unmeasured);
        assertEquals(ComputePrecision.FP32, avx2.precision(), "nothing gets slower without bf16 arithmetic");
        assertTrue(avx2.notice().isEmpty());
        assertEquals("auto: fp32, no avx512_bf16 or amx_bf16 in /proc/cpuinfo (bf16 is emulated there; not measured)",
                avx2.reason());
        assertEquals(ComputePrecision.FP32, PrecisionChoice.choose(PrecisionChoice.Request.AUTO, gpu(false),
                PrecisionChoiceTest::unmeasured).precision());
        // Without a measurement to give, auto on a bf16 device is a programming error, not a guess.
        assertThrows(IllegalStateException.class, () -> PrecisionChoice.choose(PrecisionChoice.Request.AUTO, cpu(true)));
    }

    @Test
    void speedsMustBeFiguresOfARun() {
        assertThrows(IllegalArgumentException.class, () -> new PrecisionChoice.Speeds(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new PrecisionChoice.Speeds(10, Double.NaN));
    }

    @Test
    void explicitRequestsAreKeptWithOneLineWhereTheyWillBeSlow() {
        PrecisionChoice emulated = PrecisionChoice.choose(PrecisionChoice.Request.BF16, cpu(false));
        assertEquals(ComputePrecision.BF16, emulated.precision(), "asked for, so computed (a parity check needs it anywhere)");
        String line = emulated.notice().orElseThrow();
        assertTrue(line.startsWith("--precision bf16: this CPU has no bfloat16 arithmetic"), line);
        assertEquals(1, line.lines().count());
        assertTrue(PrecisionChoice.choose(PrecisionChoice.Request.BF16, cpu(true)).notice().isEmpty());

        PrecisionChoice halfOnCpu = PrecisionChoice.choose(PrecisionChoice.Request.FP16, cpu(true));
        assertEquals(ComputePrecision.FP16, halfOnCpu.precision());
        assertTrue(halfOnCpu.notice().orElseThrow().startsWith("--precision fp16: half precision is for GPUs"));
        assertTrue(PrecisionChoice.choose(PrecisionChoice.Request.FP16, gpu(false)).notice().isEmpty());

        for (RuntimeInfo r : List.of(cpu(true), cpu(false), gpu(true), gpu(false))) {
            PrecisionChoice fp32 = PrecisionChoice.choose(PrecisionChoice.Request.FP32, r);
            assertEquals(ComputePrecision.FP32, fp32.precision());
            assertTrue(fp32.notice().isEmpty());
        }
    }

    @Test
    void theRequestsAreTheKnobsChoicesAndFp32IsTheDefault() {
        assertEquals(Knob.PRECISION.choices(), Arrays.stream(PrecisionChoice.Request.values()).map(PrecisionChoice.Request::key).toList());
        assertEquals(Knob.PRECISION.defaultValue(), PrecisionChoice.Request.DEFAULT.key());
        assertEquals(PrecisionChoice.Request.DEFAULT, TrainingOptions.BOOK.precision());
        assertTrue(Knob.PRECISION.omittedAtDefault(), "stored configs without the key keep their hashes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrecisionChoice.Request.parse("bf8"));
        assertEquals("precision: expected fp32, bf16, fp16 or auto, found 'bf8'", e.getMessage());
        for (ComputePrecision p : ComputePrecision.values()) {
            assertEquals(p, ComputePrecision.parse(p.key()));
            assertEquals(p.key(), PrecisionChoice.Request.valueOf(p.name()).key(), "each precision can be asked for by its name");
        }
    }
}
