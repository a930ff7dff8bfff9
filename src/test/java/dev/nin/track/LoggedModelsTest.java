package dev.nin.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.nin.model.NinGraph;
import dev.nin.train.SavedModels;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** The MLmodel file nin writes: it parses as YAML and names the SavedModel's signature as MLflow's loader needs it. */
class LoggedModelsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void mlmodelHasTheTensorflowFlavourInItsSavedModelFormAndTheSignature() throws Exception {
        String text = LoggedModels.mlmodel("mlflow-artifacts:/3/models/m-abc/artifacts", "m-abc", "run123", "3.17.2",
                Instant.parse("2026-12-03T04:05:06.789Z"), 10);
        JsonNode m = YAML.readTree(text);
        JsonNode tf = m.path("flavors").path("tensorflow");
        assertEquals(LoggedModels.SAVED_MODEL_DIR, tf.path("saved_model_dir").asText());
        assertEquals("serve", tf.path("meta_graph_tags").path(0).asText());
        assertEquals(1, tf.path("meta_graph_tags").size());
        assertEquals(SavedModels.SIGNATURE, tf.path("signature_def_key").asText());
        // tf2-module would call the loaded object, which a TF Java export is not.
        assertEquals("tf1-estimator", tf.path("model_type").asText());
        assertEquals("mlflow.tensorflow", m.path("flavors").path("python_function").path("loader_module").asText());
        assertEquals("m-abc", m.path("model_id").asText());
        assertEquals("m-abc", m.path("model_uuid").asText());
        assertEquals("run123", m.path("run_id").asText());
        assertEquals("mlflow-artifacts:/3/models/m-abc/artifacts", m.path("artifact_path").asText());
        assertEquals("2026-12-03 04:05:06.789000", m.path("utc_time_created").asText());
        assertEquals("3.17.2", m.path("mlflow_version").asText());

        // Signature: JSON strings inside the YAML, tensors named by the SavedModel's signature keys.
        JsonNode inputs = JSON.readTree(m.path("signature").path("inputs").asText());
        assertEquals(1, inputs.size());
        assertEquals(NinGraph.IMAGES, inputs.path(0).path("name").asText());
        assertEquals("tensor", inputs.path(0).path("type").asText());
        assertEquals("uint8", inputs.path(0).path("tensor-spec").path("dtype").asText());
        assertEquals("[-1,28,28]", inputs.path(0).path("tensor-spec").path("shape").toString());
        JsonNode outputs = JSON.readTree(m.path("signature").path("outputs").asText());
        assertEquals(NinGraph.LOGITS, outputs.path(0).path("name").asText());
        assertEquals(NinGraph.PROBABILITIES, outputs.path(1).path("name").asText());
        assertEquals("[-1,10]", outputs.path(1).path("tensor-spec").path("shape").toString());
        assertTrue(m.path("signature").path("params").isNull());
    }

    @Test
    void withoutAServerVersionTheKeyIsLeftOutAndRequirementsAreUnpinned() throws Exception {
        JsonNode m = YAML.readTree(LoggedModels.mlmodel("x", "m-1", "r", null, Instant.EPOCH, 10));
        assertFalse(m.has("mlflow_version"));
        assertEquals("mlflow\ntensorflow\n", LoggedModels.requirements(null, null));
        assertEquals("mlflow==3.17.2\ntensorflow==2.16.2\n", LoggedModels.requirements("3.17.2", "2.16.2"));
    }
}
