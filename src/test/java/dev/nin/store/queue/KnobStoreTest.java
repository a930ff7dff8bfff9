package dev.nin.store.queue;

import dev.nin.store.TrialConfig;
import dev.nin.store.TrialEntity;
import dev.nin.store.queue.TrialRecorder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.nin.config.Knob;
import dev.nin.data.DataOptions;
import dev.nin.model.Initializer;
import dev.nin.model.OptimizerSpec;
import dev.nin.model.TrainingTransforms;
import dev.nin.model.Variants;
import dev.nin.train.KnobValues;
import dev.nin.train.PrecisionChoice;
import dev.nin.train.LearningRateSchedule;
import dev.nin.train.StallRule;
import dev.nin.train.TrainConfig;
import dev.nin.train.Trainer;
import dev.nin.train.TrainingOptions;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

import jakarta.persistence.Column;

import org.junit.jupiter.api.Test;

/** What the store keeps of a trial's knobs: the trial columns, the stored config read back, and the MLflow params. */
class KnobStoreTest {

    /** Every knob away from its default (dropout set: the variant's is 0.5). */
    private static final TrainConfig CONFIG = new TrainConfig(0.05, 7, 64, 96, 1234, new OptimizerSpec(0.9, true, 5e-4),
            OptionalDouble.of(0.3), 2, new TrainingOptions(new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 1.5, 2, 0.5),
                    Initializer.HE, new TrainingTransforms(4, true, 0.1), new StallRule(300, 0.05), PrecisionChoice.Request.BF16));
    private static final DataOptions DATA = new DataOptions(4000, 1000, 500);

    private static TrialConfig resolved() {
        return TrialConfig.of(CONFIG.plan(Variants.named("nin-bn")), CONFIG, DATA);
    }

    @Test
    void everyKnobIsAwayFromItsDefaultHere() {
        Map<Knob, Object> values = KnobValues.of("nin-bn", CONFIG.dropout(), CONFIG, DATA);
        for (Knob knob : Knob.values()) {
            assertEquals(false, knob.atDefault(values), knob.key);
        }
    }

    @Test
    void mlflowParamsCarryEveryKnobsValue() {
        Map<String, String> expected = new LinkedHashMap<>();
        // Written out by hand: the values MLflow shows, in the words MLflow has shown them so far.
        expected.put("variant", "nin-bn");
        expected.put("learning_rate", "0.05");
        expected.put("epochs", "7");
        expected.put("batch_size", "64");
        expected.put("resize", "96");
        expected.put("seed", "1234");
        expected.put("momentum", "0.9");
        expected.put("nesterov", "true");
        expected.put("weight_decay", "5.0E-4");
        expected.put("dropout", "0.3");
        expected.put("schedule", "step");
        expected.put("warmup_epochs", "1.5");
        expected.put("step_epochs", "2");
        expected.put("step_gamma", "0.5");
        expected.put("init", "he");
        expected.put("label_smoothing", "0.1");
        expected.put("crop_padding", "4");
        expected.put("flip", "true");
        expected.put("precision", "bf16");
        expected.put("threads", "2");
        expected.put("stall_steps", "300");
        expected.put("stall_band", "0.05");
        expected.put("train_limit", "4000");
        expected.put("validation_size", "1000");
        expected.put("test_limit", "500");
        Map<String, String> params = TrialConfig.mlflowParams(resolved().json());
        assertEquals(expected, params);
        assertEquals(Knob.values().length, params.size(), "one param per knob");
        for (Knob knob : Knob.values()) {
            assertNotNull(params.get(knob.mlflowParam), knob.key);
        }
    }

    @Test
    void theStoredConfigReadsBackAsTheKnobsItWasWrittenFrom() {
        Map<Knob, Object> written = KnobValues.of("nin-bn", CONFIG.dropout(), CONFIG, DATA);
        assertEquals(written, TrialConfig.knobValues(resolved().json()));
        assertEquals(CONFIG.options(), TrialConfig.optionsOf(resolved().json()));
    }

    @Test
    void aConfigRecordedBeforeOptionsExistedReadsAsTheBooksWithTheStallRuleOff() {
        String old = "{\"variant\":\"standard\",\"learning_rate\":0.1,\"epochs\":10,\"batch_size\":128,\"resize\":224,\"seed\":1,"
                + "\"momentum\":0.0,\"nesterov\":false,\"weight_decay\":0.0,\"threads\":0,\"train_limit\":0,\"validation_size\":0,"
                + "\"test_limit\":0,\"layers\":[{\"name\":\"dropout\",\"op\":\"dropout 0.5\"}]}";
        Map<Knob, Object> values = TrialConfig.knobValues(old);
        assertEquals("constant", values.get(Knob.SCHEDULE));
        assertEquals(0.0, values.get(Knob.STALL_BAND));
        assertEquals(0.5, values.get(Knob.DROPOUT));
        assertEquals(TrainingOptions.BOOK, TrialConfig.optionsOf(old));
    }

    @Test
    void everyKnobWithAColumnIsThatColumnOfTheTrialRow() throws Exception {
        Map<Knob, Object> values = KnobValues.of("nin-bn", CONFIG.dropout(), CONFIG, DATA);
        TrialEntity t = new TrialEntity();
        TrialRecorder.describe(t, CONFIG.plan(Variants.named("nin-bn")), CONFIG, DATA, "c");
        int columns = 0;
        for (Knob knob : Knob.values()) {
            if (knob.column == null) {
                continue;
            }
            Field field = column(knob.column);
            Object value = field.get(t);
            Object expected = values.get(knob);
            assertEquals(expected, knob.normalise(value), knob.key + " -> trials." + knob.column);
            columns++;
        }
        assertEquals(13, columns, "the knobs that have a trials column (the rest live in the config JSON)");
    }

    private static Field column(String name) {
        for (Field f : TrialEntity.class.getFields()) {
            Column c = f.getAnnotation(Column.class);
            if (c != null ? c.name().equals(name) : f.getName().equals(name)) {
                return f;
            }
        }
        throw new AssertionError("TrialEntity has no field for column " + name);
    }
}
