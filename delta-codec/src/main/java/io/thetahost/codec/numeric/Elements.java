package io.thetahost.codec.numeric;

/**
 * Little-endian element access in raw tensor bytes. A "unit" is one element for byte-aligned dtypes and one byte for
 * the packed sub-byte dtypes (F4, F6_*), which the element-wise codecs treat byte by byte.
 */
public final class Elements {
    private Elements() {
    }

    public static long get(byte[] buf, int index, int width) {
        int off = index * width;
        long v = 0;
        for (int i = width - 1; i >= 0; i--) {
            v = (v << 8) | (buf[off + i] & 0xff);
        }
        return v;
    }

    public static void set(byte[] buf, int index, int width, long value) {
        int off = index * width;
        for (int i = 0; i < width; i++) {
            buf[off + i] = (byte) (value >>> (8 * i));
        }
    }

    /** Bytes per unit for a dtype's bit width: its byte size, or 1 for sub-byte types. */
    public static int unitWidth(int bits) {
        return bits % 8 == 0 ? bits / 8 : 1;
    }
}
