package dev.nin.model;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * Floating-point type of a graph's weights and activations. Training uses float32; float64 exists
 * so gradients can be checked against finite differences without rounding noise.
 */
public enum Precision {
    FLOAT32(TFloat32.class), FLOAT64(TFloat64.class);

    private final Class<? extends TFloating> type;

    Precision(Class<? extends TFloating> type) {
        this.type = type;
    }

    @SuppressWarnings("unchecked")
    public <T extends TFloating> Class<T> type() {
        return (Class<T>) type;
    }

    /** A tensor of this type holding {@code values} (row-major) with shape {@code dims}. */
    public Tensor tensor(long[] dims, double[] values) {
        if (this == FLOAT64) {
            return TFloat64.tensorOf(Shape.of(dims), DataBuffers.of(values, true, false));
        }
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(floats, true, false));
    }

    /** A scalar tensor of this type. */
    public Tensor scalar(double value) {
        return this == FLOAT64 ? TFloat64.scalarOf(value) : TFloat32.scalarOf((float) value);
    }

    /** Reads every value of a tensor of this type, row-major. */
    public static double[] read(Tensor tensor) {
        int n = (int) tensor.shape().size();
        double[] out = new double[n];
        if (tensor instanceof TFloat64 t) {
            t.copyTo(DataBuffers.of(out, false, false));
        } else if (tensor instanceof TFloat32 t) {
            float[] floats = new float[n];
            t.copyTo(DataBuffers.of(floats, false, false));
            for (int i = 0; i < n; i++) {
                out[i] = floats[i];
            }
        } else {
            throw new IllegalArgumentException("expected a float32 or float64 tensor, found " + tensor.dataType());
        }
        return out;
    }

    /** Reads a scalar (or the first value) of a tensor of this type. */
    public static double readScalar(Tensor tensor) {
        if (tensor instanceof TFloat64 t) {
            return t.getDouble();
        }
        return ((TFloat32) tensor).getFloat();
    }
}
