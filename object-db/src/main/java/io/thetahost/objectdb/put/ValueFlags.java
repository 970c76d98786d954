package io.thetahost.objectdb.put;

import io.thetahost.protocol.tensor.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Whether a tensor holds a NaN or an infinity, found from its raw bytes as they pass. Defined for the dtypes with
 * float values (the complex C64 counts through its float32 parts); for the others both answers are false. Bytes may
 * arrive cut anywhere, even inside an element.
 */
public final class ValueFlags {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int FINITE = 0;
    private static final int NAN = 1;
    private static final int INF = 2;

    private final Classifier classifier;
    /** For IEEE-style formats, the exponent's bits in place: an element without all of them set is finite. */
    private final long exponentBits;
    private final int width;
    private final boolean canBeInfinite;
    private final byte[] carry;
    private int carried;
    private boolean hasNaN;
    private boolean hasInf;

    private ValueFlags(Classifier classifier, int width, boolean canBeInfinite) {
        this(classifier, 0, width, canBeInfinite);
    }

    private ValueFlags(Classifier classifier, long exponentBits, int width, boolean canBeInfinite) {
        this.classifier = classifier;
        this.exponentBits = exponentBits;
        this.width = width;
        this.canBeInfinite = canBeInfinite;
        this.carry = new byte[width];
    }

    public static ValueFlags of(DType dtype) {
        switch (dtype) {
            case F32:
            case C64:
                return ieee(4, 23, 0xff);
            case F64:
                return ieee(8, 52, 0x7ff);
            case F16:
                return ieee(2, 10, 0x1f);
            case BF16:
                return ieee(2, 7, 0xff);
            case F8_E5M2:
                return ieee(1, 2, 0x1f);
            case F8_E4M3:
                // float8_e4m3fn: no infinities; only S.1111.111 is NaN.
                return new ValueFlags(bits -> (bits & 0x7f) == 0x7f ? NAN : FINITE, 1, false);
            case F8_E4M3FNUZ:
            case F8_E5M2FNUZ:
                // The "negative zero" pattern is the only NaN; no infinities.
                return new ValueFlags(bits -> bits == 0x80 ? NAN : FINITE, 1, false);
            case F8_E8M0:
                return new ValueFlags(bits -> bits == 0xff ? NAN : FINITE, 1, false);
            default:
                return new ValueFlags(null, 1, false);
        }
    }

    /** An IEEE-style format: the all-ones exponent is an infinity with a zero mantissa, else a NaN. */
    private static ValueFlags ieee(int width, int mantissaBits, long exponentMask) {
        long mantissaMask = (1L << mantissaBits) - 1;
        return new ValueFlags(bits -> {
            if (((bits >>> mantissaBits) & exponentMask) != exponentMask) {
                return FINITE;
            }
            return (bits & mantissaMask) == 0 ? INF : NAN;
        }, exponentMask << mantissaBits, width, true);
    }

    public void update(byte[] b, int off, int len) {
        if (classifier == null || done()) {
            return;
        }
        int end = off + len;
        int i = off;
        if (carried > 0) {
            while (carried < width && i < end) {
                carry[carried++] = b[i++];
            }
            if (carried < width) {
                return;
            }
            note(classifier.classify(littleEndian(carry, 0, width)));
            carried = 0;
        }
        // Every byte of every float tensor passes here: the loop reads 8 bytes at a time and classifies elements one
        // by one only where some element's exponent is all ones, which is rare.
        if (exponentBits != 0 && (width == 2 || width == 4)) {
            i = scanWords(b, i, end);
        }
        for (; i + width <= end && !done(); i += width) {
            note(classifier.classify(littleEndian(b, i, width)));
        }
        if (!done()) {
            while (i < end) {
                carry[carried++] = b[i++];
            }
        }
    }

    /**
     * Scans whole 8-byte words from {@code i}: in each, the elements' exponents are masked and compared with all ones
     * at once (a lane of {@code (word & mask) ^ mask} is zero exactly when its exponent is all ones, found with the
     * borrow of a subtraction); a word with such a lane is classified element by element. Returns where it stopped.
     */
    private int scanWords(byte[] b, int i, int end) {
        long lanes = width == 2 ? 0x0001_0001_0001_0001L : 0x0000_0001_0000_0001L;
        long mask = exponentBits * lanes;
        long high = lanes << (8 * width - 1);
        for (; i + 8 <= end; i += 8) {
            long y = ((long) LONG.get(b, i) & mask) ^ mask;
            if (((y - lanes) & ~y & high) != 0) {
                for (int k = i; k < i + 8; k += width) {
                    note(classifier.classify(littleEndian(b, k, width)));
                }
                if (done()) {
                    return i + 8;
                }
            }
        }
        return i;
    }

    public boolean hasNaN() {
        return hasNaN;
    }

    public boolean hasInf() {
        return hasInf;
    }

    private boolean done() {
        return hasNaN && (hasInf || !canBeInfinite);
    }

    private void note(int kind) {
        if (kind == NAN) {
            hasNaN = true;
        } else if (kind == INF) {
            hasInf = true;
        }
    }

    private static long littleEndian(byte[] b, int off, int width) {
        long v = 0;
        for (int k = width - 1; k >= 0; k--) {
            v = (v << 8) | (b[off + k] & 0xff);
        }
        return v;
    }

    private interface Classifier {
        int classify(long bits);
    }
}
