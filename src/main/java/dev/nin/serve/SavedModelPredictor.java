package dev.nin.serve;

import dev.nin.config.UsageException;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;

import dev.nin.data.ImageSet;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A trial's exported SavedModel loaded through DJL ({@code Criteria} → {@code ZooModel} →
 * {@code Predictor}) on the TensorFlow engine, which is what that engine is built for.
 * TensorFlow must already be loaded (see {@link dev.nin.engine.TensorFlowRuntime}).
 */
public final class SavedModelPredictor implements AutoCloseable {

    private final ZooModel<NDList, NDList> model;
    private final Predictor<NDList, NDList> predictor;
    private final NDManager manager;

    public SavedModelPredictor(Path folder) {
        Criteria<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(folder)
                .optEngine("TensorFlow").optTranslator(new NoopTranslator()).build();
        try {
            model = criteria.loadModel();
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            throw new UsageException("model: cannot load the SavedModel in " + folder + " (" + e.getMessage() + ")", e);
        }
        predictor = model.newPredictor();
        manager = NDManager.newBaseManager("TensorFlow");
    }

    /**
     * Class probabilities of a batch.
     *
     * @param pixels {@code count × 28 × 28} uint8 pixels
     * @return [count][classes] probabilities
     */
    public float[][] probabilities(byte[] pixels, int count) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray images = batch.create(ByteBuffer.wrap(pixels), new Shape(count, ImageSet.SIDE, ImageSet.SIDE), DataType.UINT8);
            NDList out = predictor.predict(new NDList(images));
            NDArray probabilities = out.get("probabilities");
            int classes = (int) probabilities.getShape().get(1);
            float[] flat = probabilities.toFloatArray();
            float[][] rows = new float[count][classes];
            for (int i = 0; i < count; i++) {
                System.arraycopy(flat, i * classes, rows[i], 0, classes);
            }
            out.close();
            return rows;
        } catch (TranslateException e) {
            throw new IllegalStateException("prediction failed: " + e.getMessage(), e);
        }
    }

    /** Index of the largest value. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public void close() {
        manager.close();
        predictor.close();
        model.close();
    }
}
