package io.thetahost.codec.format;

import io.thetahost.codec.numeric.Elements;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Splits an array of fixed-width little-endian units into byte planes, most significant byte first: plane 0 holds
 * every unit's top byte, and so on. Bytes of equal significance compress far better together (the exponent bytes of
 * weights take few values; mantissa bytes are near noise). For floats the value can first be rotated left by one bit,
 * which puts the whole 8-bit exponent of float32 and bfloat16 in the top byte and the sign at the bottom.
 */
public final class BytePlanes {
    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private BytePlanes() {
    }

    public static byte[] split(byte[] units, int width, boolean rotateSign) {
        int count = units.length / width;
        byte[] planes = new byte[units.length];
        // The common widths get their own loops: this runs over every byte a dense tensor moves.
        if (width == 4) {
            for (int i = 0; i < count; i++) {
                int v = (int) INT.get(units, 4 * i);
                if (rotateSign) {
                    v = Integer.rotateLeft(v, 1);
                }
                planes[i] = (byte) (v >>> 24);
                planes[count + i] = (byte) (v >>> 16);
                planes[2 * count + i] = (byte) (v >>> 8);
                planes[3 * count + i] = (byte) v;
            }
            return planes;
        }
        if (width == 2) {
            for (int i = 0; i < count; i++) {
                int v = (short) SHORT.get(units, 2 * i) & 0xffff;
                if (rotateSign) {
                    v = ((v << 1) | (v >>> 15)) & 0xffff;
                }
                planes[i] = (byte) (v >>> 8);
                planes[count + i] = (byte) v;
            }
            return planes;
        }
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
        if (width == 4) {
            for (int i = 0; i < count; i++) {
                int v = (planes[i] & 0xff) << 24 | (planes[count + i] & 0xff) << 16
                        | (planes[2 * count + i] & 0xff) << 8 | (planes[3 * count + i] & 0xff);
                INT.set(units, 4 * i, rotateSign ? Integer.rotateRight(v, 1) : v);
            }
            return units;
        }
        if (width == 2) {
            for (int i = 0; i < count; i++) {
                int v = (planes[i] & 0xff) << 8 | (planes[count + i] & 0xff);
                if (rotateSign) {
                    v = (v >>> 1) | ((v & 1) << 15);
                }
                SHORT.set(units, 2 * i, (short) v);
            }
            return units;
        }
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
