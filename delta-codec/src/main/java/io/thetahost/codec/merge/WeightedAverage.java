package io.thetahost.codec.merge;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;

/**
 * The canonical weighted average of two tensors of one float dtype and shape, the value a merge by {@code average}
 * or {@code weighted} declares: for each element, {@code round_dtype(w * f32(ours) + (1 - w) * f32(theirs))}, every
 * product and the sum rounded to float32 ({@code 1 - w} too), no fused multiply-add. Pure Java, so a server can
 * recompute it bit for bit.
 */
public final class WeightedAverage {
    private WeightedAverage() {
    }

    public static boolean supports(DType dtype) {
        return FloatElements.of(dtype).isPresent();
    }

    /**
     * Averages a block of elements (any whole number of them, so a tensor can go a chunk at a time).
     *
     * @param weight the share of {@code ours}, in [0, 1]
     */
    public static byte[] apply(byte[] ours, byte[] theirs, DType dtype, float weight) {
        FloatElements f = FloatElements.of(dtype).orElseThrow(() -> new IllegalArgumentException(
                dtype + " tensors cannot be averaged"));
        if (ours.length != theirs.length) {
            throw new IllegalArgumentException("blocks of " + ours.length + " and " + theirs.length + " bytes");
        }
        if (!(weight >= 0f && weight <= 1f)) {
            throw new IllegalArgumentException("weight " + weight + " is not between 0 and 1");
        }
        float other = 1f - weight;
        int width = dtype.byteSize();
        int n = ours.length / width;
        byte[] out = new byte[ours.length];
        for (int i = 0; i < n; i++) {
            float a = f.toFloat(Elements.get(ours, i, width));
            float b = f.toFloat(Elements.get(theirs, i, width));
            float wa = weight * a;
            float wb = other * b;
            Elements.set(out, i, width, f.fromFloat(wa + wb));
        }
        return out;
    }
}
