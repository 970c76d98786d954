package io.thetahost.codec.decode;

import io.thetahost.protocol.tensor.Shape;
import java.util.SplittableRandom;

/** Float32 tensors of standard normal values, as raw little-endian bytes, for the decoding tests. */
final class GaussianFloats {
    private GaussianFloats() {
    }

    static byte[] of(SplittableRandom random, Shape shape) {
        byte[] b = new byte[(int) shape.elements() * 4];
        for (int i = 0; i < b.length; i += 4) {
            int v = Float.floatToIntBits((float) random.nextGaussian());
            b[i] = (byte) v;
            b[i + 1] = (byte) (v >>> 8);
            b[i + 2] = (byte) (v >>> 16);
            b[i + 3] = (byte) (v >>> 24);
        }
        return b;
    }
}
