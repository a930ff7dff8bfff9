package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ComputePrecisionTest {

    @Test
    void keysParseBackAndAnUnknownOneIsNamed() {
        assertEquals(ComputePrecision.BF16, ComputePrecision.parse("bf16"));
        assertEquals("fp16", ComputePrecision.FP16.key());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComputePrecision.parse("int8"));
        assertEquals("precision: expected fp32, bf16 or fp16, found 'int8'", e.getMessage());
    }

    @Test
    void aTrialRecordedBeforeTheColumnExistedComputedInFloat32() {
        assertEquals(ComputePrecision.FP32, ComputePrecision.recorded(null));
        assertEquals(ComputePrecision.BF16, ComputePrecision.recorded("bf16"));
        assertThrows(IllegalArgumentException.class, () -> ComputePrecision.recorded("auto"));
        assertEquals("fp32", ComputePrecision.recordedKey(null));
        assertEquals("int4", ComputePrecision.recordedKey("int4"), "an unknown value is shown as stored");
    }
}
