package dev.nin.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModelSpecJsonTest {

    @Test
    void everyVariantSurvivesARoundTrip() {
        for (Variants.Variant v : Variants.all()) {
            ModelSpec spec = v.spec().get();
            assertEquals(spec, ModelSpecJson.read(ModelSpecJson.write(spec)), v.name());
        }
    }

    @Test
    void aBrokenSpecNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpecJson.read(
                "{\"variant\":\"x\",\"input_channels\":1,\"classes\":10,\"layers\":[{\"kind\":\"nin_block\",\"kernel\":3}]}"));
        assertTrue(e.getMessage().contains("out_channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelSpecJson.read(
                "{\"variant\":\"x\",\"input_channels\":1,\"classes\":10,\"layers\":[{\"kind\":\"dense\"}]}"));
        assertTrue(e.getMessage().contains("'dense'"), e.getMessage());
    }
}
