package dev.nin.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a model folder's card: absent is allowed (older exports), anything else wrong names the file. */
class ModelCardTest {

    @Test
    void aFolderWithoutACardHasNoStory(@TempDir Path folder) {
        assertTrue(ModelCard.read(folder).isEmpty());
    }

    @Test
    void aCardOfAnotherFormatIsRefusedByName(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("nin-model.json"), "{\"format\": \"nin-model/9\", \"trial\": 1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.read(folder));
        assertEquals(folder.resolve("nin-model.json") + ": expected format nin-model/1, found nin-model/9", e.getMessage());
    }

    @Test
    void aCardThatIsNotJsonIsRefusedByName(@TempDir Path folder) throws Exception {
        Files.writeString(folder.resolve("nin-model.json"), "{\"format\": ");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.read(folder));
        assertTrue(e.getMessage().startsWith(folder.resolve("nin-model.json") + ": not a readable model card"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void anOversizedCardIsRefusedBeforeItIsRead(@TempDir Path folder) throws Exception {
        Files.write(folder.resolve("nin-model.json"), new byte[(1 << 20) + 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.read(folder));
        assertTrue(e.getMessage().contains("expected a model card under 1 MiB, found 1048577 bytes"), e.getMessage());
    }

    @Test
    void theSummaryNamesTrialConfigurationHashAndFinalAccuracy() {
        ModelCard card = new ModelCard(ModelCard.FORMAT, 12, "standard lr=0.1", "0123456789abcdef0123", null, "fp32", "cpu()",
                new Provenance("0.1.0", "abc1234", "0.33.0", "2.16.1", "17.0.2"), java.util.List.of(),
                new ModelCard.FinalEpoch(10, 0.31234, 0.88, null, 0.87123), "ff", "serving_default");
        assertEquals("model of trial 12: standard lr=0.1; config sha256 0123456789ab; trained in fp32 on cpu() by nin 0.1.0"
                + " (commit abc1234), TensorFlow 2.16.1; after epoch 10: train loss 0.3123, test accuracy 0.8712", card.summary());
    }
}
