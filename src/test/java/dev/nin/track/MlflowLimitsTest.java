package dev.nin.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MlflowLimitsTest {

    @Test
    void oddCharactersInKeysBecomeUnderscores() {
        assertEquals("val_acc_top-1_", MlflowLimits.key("val_acc(top-1)"));
        assertEquals("a_b c/d.e-f", MlflowLimits.key("a:b c/d.e-f"));
        assertEquals("_", MlflowLimits.key(""));
        assertEquals("_etc", MlflowLimits.key("/etc"));
        assertEquals("a_./b", MlflowLimits.key("a../b"));
        assertEquals(MlflowLimits.MAX_KEY_LENGTH, MlflowLimits.key("k".repeat(400)).length());
    }

    @Test
    void longValuesAreSplitNotDropped() {
        String value = "x".repeat(6000) + "y".repeat(6000) + "z".repeat(10);
        List<MlflowLimits.Entry> parts = MlflowLimits.split("config", value, MlflowLimits.MAX_PARAM_VALUE);
        assertEquals(List.of("config", "config.part2", "config.part3"), parts.stream().map(MlflowLimits.Entry::key).toList());
        assertEquals(value, String.join("", parts.stream().map(MlflowLimits.Entry::value).toList()));
        parts.forEach(p -> assertTrue(p.value().length() <= MlflowLimits.MAX_PARAM_VALUE));
    }

    @Test
    void chunksCoverEveryItemWithinTheLimit() {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < 2501; i++) {
            items.add(i);
        }
        List<List<Integer>> chunks = MlflowLimits.chunks(items, MlflowLimits.METRICS_PER_BATCH);
        assertEquals(List.of(1000, 1000, 501), chunks.stream().map(List::size).toList());
        assertEquals(items, chunks.stream().flatMap(List::stream).toList());
    }
}
