package dev.nin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nin.sweep.SweepFileException;
import dev.nin.sweep.SweepParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KnobTest {

    @Test
    void boundsAreInclusiveOrOpenAsDocumented() {
        assertNull(Knob.EPOCHS.problem(1L));
        assertNull(Knob.EPOCHS.problem(1000L));
        assertEquals("expected 1 to 1000, found 1001", Knob.EPOCHS.problem(1001L));
        assertEquals("expected a learning rate > 0, found 0", Knob.LR.problem(0.0));
        assertNull(Knob.MOMENTUM.problem(0.0));
        assertEquals("expected a value in [0, 1), found 1", Knob.MOMENTUM.problem(1.0));
        assertEquals("expected a factor in (0, 1), found 0", Knob.STEP_GAMMA.problem(0.0));
        assertEquals("expected 0 or more, found NaN", Knob.WEIGHT_DECAY.problem(Double.NaN));
        assertEquals("expected a learning rate > 0, found Infinity", Knob.LR.problem(Double.POSITIVE_INFINITY));
        assertNull(Knob.SEED.problem(Long.MAX_VALUE));
        assertEquals("expected 0 or more, found -1", Knob.SEED.problem(-1L));
        assertEquals("expected a whole number, found 2.5", Knob.EPOCHS.problem(2.5));
    }

    @Test
    void flagAndRecordErrorsNameTheirOwnPlaceWithTheSameRangeText() {
        assertEquals("--threads: expected 0 to 1024, found 100000",
                assertThrows(IllegalArgumentException.class, () -> Knob.THREADS.requireFlag(100_000L)).getMessage());
        assertEquals("threads: expected 0 to 1024, found 100000",
                assertThrows(IllegalArgumentException.class, () -> Knob.THREADS.require(100_000L)).getMessage());
    }

    /** The two examples and their neighbours: a flag and a sweep key refuse the same value with the same words. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "SEED      | -1     | seeds: [-1]                   | seeds[0]",
        "THREADS   | 100000 | threads: 100000               | threads",
        "EPOCHS    | 0      | 'base: {epochs: 0}'           | base.epochs",
        "BATCH     | 5000   | 'base: {batch: 5000}'         | base.batch",
        "CROP_PADDING | 9   | 'base: {crop_padding: 9}'     | base.crop_padding",
        "TEST_LIMIT | 10001 | 'data: {validation: 10, test_limit: 10001}' | data.test_limit"})
    void sweepFilesAndFlagsShareTheRange(Knob knob, long value, String yaml, String where) {
        String flag = assertThrows(IllegalArgumentException.class, () -> knob.requireFlag(value)).getMessage();
        String file = assertThrows(SweepFileException.class,
                () -> SweepParser.parse("k.yaml", "name: k\nmetric: train_loss\n" + yaml + "\n")).getMessage();
        String range = knob.expected() + ", found " + value;
        assertEquals(knob.flag + ": " + range, flag);
        assertEquals(where + ": " + range, file.substring(file.indexOf(": ") + 2), file);
    }

    /** A knob added later, e.g. a precision: in the JSON only when set, so stored configs keep their bytes. */
    private record FakeKnob(String jsonPath, Object defaultValue, boolean omittedAtDefault) implements KnobDefinition {}

    @Test
    void aKnobAddedLaterIsLeftOutOfTheCanonicalJsonAtItsDefault() {
        FakeKnob precision = new FakeKnob("precision", "float32", true);
        FakeKnob strategy = new FakeKnob("search.strategy", "grid", true);
        FakeKnob old = new FakeKnob("schedule.kind", "constant", false);
        java.util.Map<KnobDefinition, Object> values = new java.util.LinkedHashMap<>();
        values.put(old, "constant");
        values.put(precision, "float32");
        values.put(strategy, "grid");
        assertEquals(java.util.Map.of("schedule", java.util.Map.of("kind", "constant")), Knob.canonical(values),
                "new knobs at their defaults are absent; an old knob is written even at its default");
        values.put(precision, "float64");
        values.put(strategy, "random");
        assertEquals(java.util.Map.of("schedule", java.util.Map.of("kind", "constant"), "precision", "float64",
                "search", java.util.Map.of("strategy", "random")), Knob.canonical(values));
    }

    @Test
    void everyKnobInTheJsonTodayIsWrittenEvenAtItsDefault() {
        // Stored hashes were computed with all of them present; only knobs added later may be omitted.
        java.util.Set<Knob> addedLater = java.util.Set.of(Knob.PRECISION);
        for (Knob knob : Knob.values()) {
            assertEquals(addedLater.contains(knob), knob.omittedAtDefault(), knob.key);
        }
        assertEquals(null, Knob.DROPOUT.jsonPath(), "the model in the JSON carries the dropout rate");
    }

    @Test
    void labelsReadAsBefore() {
        java.util.Map<Knob, Object> v = Knob.defaults();
        assertEquals("standard lr=0.1 epochs=10 batch=128 resize=224", Knob.label(v));
        v.put(Knob.VARIANT, "gradual-head");
        v.put(Knob.MOMENTUM, 0.9);
        v.put(Knob.NESTEROV, true);
        v.put(Knob.WEIGHT_DECAY, 5e-4);
        v.put(Knob.DROPOUT, 0.3);
        v.put(Knob.SCHEDULE, "step");
        v.put(Knob.WARMUP_EPOCHS, 1.0);
        v.put(Knob.INIT, "he");
        v.put(Knob.LABEL_SMOOTHING, 0.1);
        v.put(Knob.CROP_PADDING, 4L);
        v.put(Knob.FLIP, true);
        v.put(Knob.SEED, 7L);
        v.put(Knob.THREADS, 1L);
        assertEquals("gradual-head lr=0.1 epochs=10 batch=128 resize=224 momentum=0.9 nesterov wd=5.0E-4 dropout=0.3"
                + " schedule=step/3x0.1 warmup=1.0 init=he smoothing=0.1 crop=4 flip", Knob.label(v));
    }
}
