package io.thetahost.codec.encode;

import io.thetahost.codec.numeric.FloatElements;

/**
 * {@code f32(target) - f32(base)} of a row of elements, in doubles, as the low-rank detector and its gate read D:
 * both rows widened in bulk first ({@link FloatElements#toFloats}), which costs a fraction of widening element by
 * element. Memory: two rows of floats, reused.
 */
final class RowDifference {
    private final FloatElements f;
    private final float[] target;
    private final float[] base;

    RowDifference(FloatElements f, int columns) {
        this.f = f;
        this.target = new float[columns];
        this.base = new float[columns];
    }

    /**
     * Reads the row of {@code columns} elements from element {@code first} of both into {@code out} from
     * {@code at}. A non-finite element gives a non-finite difference (infinity minus itself is NaN), which readers
     * find in what they compute from D rather than here: a test per element kept this loop from being vectorized.
     */
    void read(byte[] targetBytes, byte[] baseBytes, int first, double[] out, int at) {
        int columns = target.length;
        f.toFloats(targetBytes, first, target, columns);
        f.toFloats(baseBytes, first, base, columns);
        for (int j = 0; j < columns; j++) {
            out[at + j] = (double) target[j] - base[j];
        }
    }
}
