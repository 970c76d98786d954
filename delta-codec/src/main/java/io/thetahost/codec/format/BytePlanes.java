package io.thetahost.codec.format;

import io.thetahost.codec.numeric.Elements;

/**
 * Splits an array of fixed-width little-endian units into byte planes, most significant byte first: plane 0 holds
 * every unit's top byte, and so on. Bytes of equal significance compress far better together (the exponent bytes of
 * weights take few values; mantissa bytes are near noise). For floats the value can first be rotated left by one bit,
 * which puts the whole 8-bit exponent of float32 and bfloat16 in the top byte and the sign at the bottom.
 */
public final class BytePlanes {
    private BytePlanes() {
    }

    public static byte[] split(byte[] units, int width, boolean rotateSign) {
        int count = units.length / width;
        byte[] planes = new byte[units.length];
        for (int i = 0; i < count; i++) {
            long v = Elements.get(units, i, width);
            if (rotateSign) {
                v = rotateLeft(v, width);
            }
            for (int p = 0; p < width; p++) {
                planes[p * count + i] = (byte) (v >>> (8 * (width - 1 - p)));
            }
        }
        return planes;
    }

    public static byte[] join(byte[] planes, int width, boolean rotateSign) {
        int count = planes.length / width;
        byte[] units = new byte[planes.length];
        for (int i = 0; i < count; i++) {
            long v = 0;
            for (int p = 0; p < width; p++) {
                v = (v << 8) | (planes[p * count + i] & 0xff);
            }
            if (rotateSign) {
                v = rotateRight(v, width);
            }
            Elements.set(units, i, width, v);
        }
        return units;
    }

    private static long rotateLeft(long v, int width) {
        int bits = width * 8;
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        return ((v << 1) | (v >>> (bits - 1))) & mask;
    }

    private static long rotateRight(long v, int width) {
        int bits = width * 8;
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        return ((v >>> 1) | ((v & 1) << (bits - 1))) & mask;
    }
}
