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
 *
 * <p>Every byte a dense or xor tensor moves passes through here, so the common widths (2 and 4) go eight units at a
 * time: eight bytes of each plane are read as one long and spread into place with shifts and masks (and back for
 * {@link #split}), where a byte at a time cost more than decompressing the planes.
 */
public final class BytePlanes {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Units per step of the long-at-a-time loops: eight bytes of each plane. */
    private static final int STEP = 8;

    private BytePlanes() {
    }

    public static byte[] split(byte[] units, int width, boolean rotateSign) {
        int count = units.length / width;
        byte[] planes = new byte[units.length];
        int done = switch (width) {
            case 2 -> split2(units, count, rotateSign, planes);
            case 4 -> split4(units, count, rotateSign, planes);
            default -> 0;
        };
        for (int i = done; i < count; i++) {
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
        byte[] units = new byte[planes.length];
        join(planes, width, rotateSign, units, false);
        return units;
    }

    /** Joins into {@code units}, of the planes' length, every byte of which it overwrites. */
    public static void join(byte[] planes, int width, boolean rotateSign, byte[] units) {
        if (units.length != planes.length) {
            throw new IllegalArgumentException(planes.length + " bytes of planes for " + units.length + " of units");
        }
        join(planes, width, rotateSign, units, false);
    }

    /**
     * XORs the units the planes (not rotated) hold into {@code target}, in place: the xor apply in one pass, without
     * the joined copy.
     */
    public static void joinXor(byte[] planes, int width, byte[] target) {
        if (target.length != planes.length) {
            throw new IllegalArgumentException(planes.length + " bytes of planes for " + target.length + " of units");
        }
        join(planes, width, false, target, true);
    }

    /** Joins into {@code out}, or XORs into it; the fast loops leave the last units (fewer than a step) to this one. */
    private static void join(byte[] planes, int width, boolean rotateSign, byte[] out, boolean xor) {
        int count = planes.length / width;
        int done = switch (width) {
            case 2 -> join2(planes, count, rotateSign, out, xor);
            case 4 -> join4(planes, count, rotateSign, out, xor);
            default -> 0;
        };
        for (int i = done; i < count; i++) {
            long v = 0;
            for (int p = 0; p < width; p++) {
                v = (v << 8) | (planes[p * count + i] & 0xff);
            }
            if (rotateSign) {
                v = rotateRight(v, width);
            }
            Elements.set(out, i, width, xor ? v ^ Elements.get(out, i, width) : v);
        }
    }

    /** @return the units done: all but the last {@code count % STEP} */
    private static int join2(byte[] planes, int count, boolean rotateSign, byte[] out, boolean xor) {
        int end = count - count % STEP;
        for (int i = 0; i < end; i += STEP) {
            long hi = (long) LONG.get(planes, i);
            long lo = (long) LONG.get(planes, count + i);
            long u0 = spreadBytes(lo) | spreadBytes(hi) << 8;
            long u1 = spreadBytes(lo >>> 32) | spreadBytes(hi >>> 32) << 8;
            if (rotateSign) {
                u0 = rotateRight16(u0);
                u1 = rotateRight16(u1);
            }
            int at = 2 * i;
            if (xor) {
                u0 ^= (long) LONG.get(out, at);
                u1 ^= (long) LONG.get(out, at + 8);
            }
            LONG.set(out, at, u0);
            LONG.set(out, at + 8, u1);
        }
        return end;
    }

    private static int join4(byte[] planes, int count, boolean rotateSign, byte[] out, boolean xor) {
        int end = count - count % STEP;
        for (int i = 0; i < end; i += STEP) {
            long p0 = (long) LONG.get(planes, i);
            long p1 = (long) LONG.get(planes, count + i);
            long p2 = (long) LONG.get(planes, 2 * count + i);
            long p3 = (long) LONG.get(planes, 3 * count + i);
            // The units' low and high 16-bit halves, four units a long: the first four units, then the next four.
            long lowA = spreadBytes(p3) | spreadBytes(p2) << 8;
            long highA = spreadBytes(p1) | spreadBytes(p0) << 8;
            long lowB = spreadBytes(p3 >>> 32) | spreadBytes(p2 >>> 32) << 8;
            long highB = spreadBytes(p1 >>> 32) | spreadBytes(p0 >>> 32) << 8;
            long u0 = spreadShorts(lowA) | spreadShorts(highA) << 16;
            long u1 = spreadShorts(lowA >>> 32) | spreadShorts(highA >>> 32) << 16;
            long u2 = spreadShorts(lowB) | spreadShorts(highB) << 16;
            long u3 = spreadShorts(lowB >>> 32) | spreadShorts(highB >>> 32) << 16;
            if (rotateSign) {
                u0 = rotateRight32(u0);
                u1 = rotateRight32(u1);
                u2 = rotateRight32(u2);
                u3 = rotateRight32(u3);
            }
            int at = 4 * i;
            if (xor) {
                u0 ^= (long) LONG.get(out, at);
                u1 ^= (long) LONG.get(out, at + 8);
                u2 ^= (long) LONG.get(out, at + 16);
                u3 ^= (long) LONG.get(out, at + 24);
            }
            LONG.set(out, at, u0);
            LONG.set(out, at + 8, u1);
            LONG.set(out, at + 16, u2);
            LONG.set(out, at + 24, u3);
        }
        return end;
    }

    private static int split2(byte[] units, int count, boolean rotateSign, byte[] planes) {
        int end = count - count % STEP;
        for (int i = 0; i < end; i += STEP) {
            long u0 = (long) LONG.get(units, 2 * i);
            long u1 = (long) LONG.get(units, 2 * i + 8);
            if (rotateSign) {
                u0 = rotateLeft16(u0);
                u1 = rotateLeft16(u1);
            }
            LONG.set(planes, i, gatherBytes(u0 >>> 8) | gatherBytes(u1 >>> 8) << 32);
            LONG.set(planes, count + i, gatherBytes(u0) | gatherBytes(u1) << 32);
        }
        return end;
    }

    private static int split4(byte[] units, int count, boolean rotateSign, byte[] planes) {
        int end = count - count % STEP;
        for (int i = 0; i < end; i += STEP) {
            long u0 = (long) LONG.get(units, 4 * i);
            long u1 = (long) LONG.get(units, 4 * i + 8);
            long u2 = (long) LONG.get(units, 4 * i + 16);
            long u3 = (long) LONG.get(units, 4 * i + 24);
            if (rotateSign) {
                u0 = rotateLeft32(u0);
                u1 = rotateLeft32(u1);
                u2 = rotateLeft32(u2);
                u3 = rotateLeft32(u3);
            }
            long lowA = gatherShorts(u0) | gatherShorts(u1) << 32;
            long highA = gatherShorts(u0 >>> 16) | gatherShorts(u1 >>> 16) << 32;
            long lowB = gatherShorts(u2) | gatherShorts(u3) << 32;
            long highB = gatherShorts(u2 >>> 16) | gatherShorts(u3 >>> 16) << 32;
            LONG.set(planes, i, gatherBytes(highA >>> 8) | gatherBytes(highB >>> 8) << 32);
            LONG.set(planes, count + i, gatherBytes(highA) | gatherBytes(highB) << 32);
            LONG.set(planes, 2 * count + i, gatherBytes(lowA >>> 8) | gatherBytes(lowB >>> 8) << 32);
            LONG.set(planes, 3 * count + i, gatherBytes(lowA) | gatherBytes(lowB) << 32);
        }
        return end;
    }

    /** The low four bytes of {@code x} to bytes 0, 2, 4 and 6. */
    private static long spreadBytes(long x) {
        x = (x & 0xffffffffL | (x & 0xffffffffL) << 16) & 0x0000ffff0000ffffL;
        return (x | x << 8) & 0x00ff00ff00ff00ffL;
    }

    /** The low two 16-bit halves of {@code x} to halves 0 and 2. */
    private static long spreadShorts(long x) {
        return (x & 0xffffffffL | (x & 0xffffffffL) << 16) & 0x0000ffff0000ffffL;
    }

    /** Bytes 0, 2, 4 and 6 of {@code x} to its low four bytes (the rest zero): undoes {@link #spreadBytes}. */
    private static long gatherBytes(long x) {
        x &= 0x00ff00ff00ff00ffL;
        x = (x | x >>> 8) & 0x0000ffff0000ffffL;
        return (x | x >>> 16) & 0xffffffffL;
    }

    /** Halves 0 and 2 of {@code x} to its low two halves (the rest zero): undoes {@link #spreadShorts}. */
    private static long gatherShorts(long x) {
        x &= 0x0000ffff0000ffffL;
        return (x | x >>> 16) & 0xffffffffL;
    }

    private static long rotateLeft16(long v) {
        return (v << 1) & 0xfffefffefffefffeL | (v >>> 15) & 0x0001000100010001L;
    }

    private static long rotateRight16(long v) {
        return (v >>> 1) & 0x7fff7fff7fff7fffL | (v << 15) & 0x8000800080008000L;
    }

    private static long rotateLeft32(long v) {
        return (v << 1) & 0xfffffffefffffffeL | (v >>> 31) & 0x0000000100000001L;
    }

    private static long rotateRight32(long v) {
        return (v >>> 1) & 0x7fffffff7fffffffL | (v << 31) & 0x8000000080000000L;
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
