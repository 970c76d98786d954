package io.thetahost.codec.numeric;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Little-endian element access in raw tensor bytes. A "unit" is one element for byte-aligned dtypes and one byte for
 * the packed sub-byte dtypes (F4, F6_*), which the element-wise codecs treat byte by byte.
 */
public final class Elements {
    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Elements() {
    }

    /** The unit's bits, zero-extended. */
    public static long get(byte[] buf, int index, int width) {
        switch (width) {
            case 1:
                return buf[index] & 0xffL;
            case 2:
                return (short) SHORT.get(buf, index * 2) & 0xffffL;
            case 4:
                return (int) INT.get(buf, index * 4) & 0xffffffffL;
            case 8:
                return (long) LONG.get(buf, index * 8);
            default:
                throw new IllegalArgumentException("no " + width + "-byte units");
        }
    }

    /**
     * The bits that carry the difference of two arrays of units: for each unit, the length of its xor (from its
     * highest differing bit down). An unchanged unit costs 0; a float moved in its last mantissa bits costs a few; a
     * sign or exponent change costs the whole unit. It follows what an xor encoding compresses to, which the leading
     * zeros of every unit decide.
     */
    public static long differenceBits(byte[] a, byte[] b, int width) {
        long bits = 0;
        int units = a.length / width;
        switch (width) {
            case 1 -> {
                for (int i = 0; i < units; i++) {
                    bits += 32 - Integer.numberOfLeadingZeros((a[i] ^ b[i]) & 0xff);
                }
            }
            case 2 -> {
                for (int i = 0; i < units; i++) {
                    int xor = ((short) SHORT.get(a, i * 2) ^ (short) SHORT.get(b, i * 2)) & 0xffff;
                    bits += 32 - Integer.numberOfLeadingZeros(xor);
                }
            }
            case 4 -> {
                for (int i = 0; i < units; i++) {
                    bits += 32 - Integer.numberOfLeadingZeros((int) INT.get(a, i * 4) ^ (int) INT.get(b, i * 4));
                }
            }
            case 8 -> {
                for (int i = 0; i < units; i++) {
                    bits += 64 - Long.numberOfLeadingZeros((long) LONG.get(a, i * 8) ^ (long) LONG.get(b, i * 8));
                }
            }
            default -> throw new IllegalArgumentException("no " + width + "-byte units");
        }
        return bits;
    }

    /** Stores the low {@code width} bytes of {@code value}. */
    public static void set(byte[] buf, int index, int width, long value) {
        switch (width) {
            case 1:
                buf[index] = (byte) value;
                break;
            case 2:
                SHORT.set(buf, index * 2, (short) value);
                break;
            case 4:
                INT.set(buf, index * 4, (int) value);
                break;
            case 8:
                LONG.set(buf, index * 8, value);
                break;
            default:
                throw new IllegalArgumentException("no " + width + "-byte units");
        }
    }

    /** Bytes per unit for a dtype's bit width: its byte size, or 1 for sub-byte types. */
    public static int unitWidth(int bits) {
        return bits % 8 == 0 ? bits / 8 : 1;
    }
}
