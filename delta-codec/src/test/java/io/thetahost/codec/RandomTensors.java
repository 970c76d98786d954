package io.thetahost.codec;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Random tensors for property tests, rich in the values that break codecs: every NaN payload (random bits), both
 * infinities, both zeros, subnormals, the largest finite values, and ordinary small weights.
 */
final class RandomTensors {
    private RandomTensors() {
    }

    static Shape randomShape(SplittableRandom r, DType dtype) {
        int rank = r.nextInt(4);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(i == rank - 1 ? 40 : 12);
        }
        Shape s = Shape.of(dims);
        if (!dtype.isByteAligned() && (s.elements() * dtype.bits()) % 8 != 0) {
            // Packed types need a whole number of bytes: add a trailing dimension of 8 elements.
            long[] more = java.util.Arrays.copyOf(dims, rank + 1);
            more[rank] = 8;
            return Shape.of(more);
        }
        return s;
    }

    static byte[] randomValues(SplittableRandom r, DType dtype, Shape shape) {
        byte[] out = new byte[Math.toIntExact(dtype.sizeOf(shape.elements()))];
        int width = Elements.unitWidth(dtype.bits());
        int units = out.length / width;
        for (int i = 0; i < units; i++) {
            Elements.set(out, i, width, randomUnit(r, dtype, width));
        }
        return out;
    }

    private static long randomUnit(SplittableRandom r, DType dtype, int width) {
        long mask = width == 8 ? -1L : (1L << (8 * width)) - 1;
        if (dtype.kind() != DType.Kind.FLOAT || !dtype.isByteAligned()) {
            return r.nextLong() & mask;
        }
        int pick = r.nextInt(20);
        switch (dtype) {
            case F32:
                return special32(r, pick) & mask;
            case F64:
                return special64(r, pick);
            case BF16:
                return (special32(r, pick) >>> 16) & mask;
            default:
                return r.nextLong() & mask;
        }
    }

    private static long special32(SplittableRandom r, int pick) {
        switch (pick) {
            case 0:
                return Float.floatToRawIntBits(0f) | (r.nextBoolean() ? 0x80000000L : 0);
            case 1:
                return 0x7f800000L | (r.nextBoolean() ? 0x80000000L : 0);
            case 2:
                return 0x7f800000L | (1 + r.nextInt(0x7fffff)) | (r.nextBoolean() ? 0x80000000L : 0);
            case 3:
                return r.nextInt(0x800000) | (r.nextBoolean() ? 0x80000000L : 0);
            case 4:
                return 0x7f7fffffL | (r.nextBoolean() ? 0x80000000L : 0);
            case 5:
                return r.nextInt() & 0xffffffffL;
            default:
                return Float.floatToRawIntBits((float) (r.nextGaussian() * 0.05)) & 0xffffffffL;
        }
    }

    private static long special64(SplittableRandom r, int pick) {
        switch (pick) {
            case 0:
                return r.nextBoolean() ? 0x8000000000000000L : 0;
            case 1:
                return 0x7ff0000000000000L | (r.nextBoolean() ? 0x8000000000000000L : 0);
            case 2:
                return 0x7ff0000000000001L | (r.nextLong() & 0x000fffffffffffffL);
            case 3:
                return r.nextLong() & 0x000fffffffffffffL;
            case 4:
                return r.nextLong();
            default:
                return Double.doubleToRawLongBits(r.nextGaussian() * 0.05);
        }
    }

    /** The target with a fraction of its units replaced by other random values: a base that differs sparsely. */
    static byte[] perturb(SplittableRandom r, DType dtype, byte[] target, double fraction) {
        byte[] base = target.clone();
        int width = Elements.unitWidth(dtype.bits());
        int units = base.length / width;
        for (int i = 0; i < units; i++) {
            if (r.nextDouble() < fraction) {
                Elements.set(base, i, width, randomUnit(r, dtype, width));
            }
        }
        return base;
    }
}
