package io.thetahost.codec.encodings;

import io.thetahost.codec.format.BytePlanes;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.codec.numeric.Elements;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;

/**
 * What makes a structured encoding lossless on any target: per unit, the difference between the target's bits and
 * the structured apply's bits, modulo 2^width, zigzag-coded (so a difference of one unit in the last place, the usual
 * gap between a GPU merge and the canonical apply, is a 1 or a 2), in byte planes. Zero wherever the apply was exact,
 * so it compresses to almost nothing when the apply is exact.
 */
public final class Residual {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** The lowest bit of every lane, for lanes of 1, 2, 4 and 8 bytes. */
    private static final long[] LOW_BITS = {0x0101010101010101L, 0x0001000100010001L, 0x0000000100000001L, 1L};

    private Residual() {
    }

    /**
     * The residual section, or none when the canonical result already is the target. Widths 4 and 2 are written
     * straight into byte planes in one pass (half the time of copying units into int arrays first, measured), the
     * other widths by splitting the differences afterwards: the same bytes either way ({@code ResidualTest}).
     */
    public static Optional<Section> section(byte[] target, byte[] canonical, int width) {
        int units = target.length / width;
        byte[] planes = new byte[target.length];
        boolean nonZero = switch (width) {
            case 4 -> planes4(target, canonical, units, planes);
            case 2 -> planes2(target, canonical, units, planes);
            default -> planesOfAnyWidth(target, canonical, width, units, planes);
        };
        return nonZero ? Optional.of(new Section(SectionTag.RESIDUAL, planes, width)) : Optional.empty();
    }

    private static boolean planes4(byte[] target, byte[] canonical, int units, byte[] planes) {
        int any = 0;
        for (int j = 0; j < units; j++) {
            int d = (int) INT.get(target, 4 * j) - (int) INT.get(canonical, 4 * j);
            int zigzag = (d << 1) ^ (d >> 31);
            any |= zigzag;
            planes[j] = (byte) (zigzag >>> 24);
            planes[units + j] = (byte) (zigzag >>> 16);
            planes[2 * units + j] = (byte) (zigzag >>> 8);
            planes[3 * units + j] = (byte) zigzag;
        }
        return any != 0;
    }

    private static boolean planes2(byte[] target, byte[] canonical, int units, byte[] planes) {
        int any = 0;
        for (int j = 0; j < units; j++) {
            int d = (short) ((short) SHORT.get(target, 2 * j) - (short) SHORT.get(canonical, 2 * j));
            int zigzag = (d << 1) ^ (d >> 15);
            any |= zigzag & 0xffff;
            planes[j] = (byte) (zigzag >>> 8);
            planes[units + j] = (byte) zigzag;
        }
        return any != 0;
    }

    private static boolean planesOfAnyWidth(byte[] target, byte[] canonical, int width, int units, byte[] planes) {
        if (Arrays.equals(target, canonical)) {
            return false;
        }
        int bits = width * 8;
        byte[] diffs = new byte[target.length];
        for (int i = 0; i < units; i++) {
            long d = Elements.get(target, i, width) - Elements.get(canonical, i, width);
            long signed = bits == 64 ? d : (d << (64 - bits)) >> (64 - bits);
            long zigzag = (signed << 1) ^ (signed >> 63);
            Elements.set(diffs, i, width, zigzag);
        }
        System.arraycopy(BytePlanes.split(diffs, width, false), 0, planes, 0, planes.length);
        return true;
    }

    /**
     * Adds the residual to the structured apply, in place. Widths 4 and 2 a unit at a time straight from the planes;
     * the others joined first, then eight bytes at a time, as lanes of {@code width} bytes within a long (SWAR): the
     * zigzag decode and the add modulo 2^w are done per lane with masks that keep carries and shifts from crossing
     * lanes, which gives exactly the per-unit arithmetic of the last units.
     */
    public static void apply(byte[] canonical, byte[] planes, int width) throws InvalidEncodingException {
        if (planes.length != canonical.length) {
            throw new InvalidEncodingException("residual of " + planes.length + " bytes for a chunk of "
                    + canonical.length);
        }
        switch (width) {
            case 4 -> apply4(canonical, planes);
            case 2 -> apply2(canonical, planes);
            default -> applyJoined(canonical, BytePlanes.join(planes, width, false), width);
        }
    }

    /** Widths 4 and 2 read each unit's bytes from the planes and add in one pass, without joining them first. */
    private static void apply4(byte[] canonical, byte[] planes) {
        int units = canonical.length / 4;
        for (int j = 0; j < units; j++) {
            int zigzag = (planes[j] & 0xff) << 24 | (planes[units + j] & 0xff) << 16
                    | (planes[2 * units + j] & 0xff) << 8 | (planes[3 * units + j] & 0xff);
            int signed = (zigzag >>> 1) ^ -(zigzag & 1);
            INT.set(canonical, 4 * j, (int) INT.get(canonical, 4 * j) + signed);
        }
    }

    private static void apply2(byte[] canonical, byte[] planes) {
        int units = canonical.length / 2;
        for (int j = 0; j < units; j++) {
            int zigzag = (planes[j] & 0xff) << 8 | (planes[units + j] & 0xff);
            int signed = (zigzag >>> 1) ^ -(zigzag & 1);
            SHORT.set(canonical, 2 * j, (short) ((short) SHORT.get(canonical, 2 * j) + signed));
        }
    }

    private static void applyJoined(byte[] canonical, byte[] diffs, int width) {
        long low = LOW_BITS[Integer.numberOfTrailingZeros(width)];
        long high = low << (8 * width - 1);
        long laneOnes = width == 8 ? -1L : (1L << (8 * width)) - 1;
        int end = canonical.length - canonical.length % 8;
        for (int i = 0; i < end; i += 8) {
            long zigzag = (long) LONG.get(diffs, i);
            long signed = (zigzag >>> 1) & ~high ^ (zigzag & low) * laneOnes;
            long c = (long) LONG.get(canonical, i);
            LONG.set(canonical, i, ((c & ~high) + (signed & ~high)) ^ ((c ^ signed) & high));
        }
        int units = canonical.length / width;
        for (int i = end / width; i < units; i++) {
            long zigzag = Elements.get(diffs, i, width);
            long signed = (zigzag >>> 1) ^ -(zigzag & 1);
            Elements.set(canonical, i, width, Elements.get(canonical, i, width) + signed);
        }
    }
}
