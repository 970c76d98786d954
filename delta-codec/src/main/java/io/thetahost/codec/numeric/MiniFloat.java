package io.thetahost.codec.numeric;

/**
 * Small binary floating-point formats (float16, float8) as sign, {@code e} exponent bits and {@code m} mantissa
 * bits. Two families: IEEE-like, where the all-ones exponent holds infinities and NaNs; and "FN" (float8_e4m3fn),
 * which has no infinities, where only the all-ones pattern is NaN and out-of-range values become NaN.
 */
final class MiniFloat implements FloatElements {
    static final MiniFloat F16 = new MiniFloat(5, 10, true);
    static final MiniFloat F8_E5M2 = new MiniFloat(5, 2, true);
    static final MiniFloat F8_E4M3FN = new MiniFloat(4, 3, false);

    private final int e;
    private final int m;
    private final int bias;
    private final boolean ieee;
    private final int expMask;
    private final int mantMask;
    private final int canonicalNan;
    /** The largest finite magnitude, as bits without sign. */
    private final int maxFinite;

    private MiniFloat(int e, int m, boolean ieee) {
        this.e = e;
        this.m = m;
        this.bias = (1 << (e - 1)) - 1;
        this.ieee = ieee;
        this.expMask = (1 << e) - 1;
        this.mantMask = (1 << m) - 1;
        if (ieee) {
            this.canonicalNan = (expMask << m) | (1 << (m - 1));
            this.maxFinite = ((expMask - 1) << m) | mantMask;
        } else {
            this.canonicalNan = (expMask << m) | mantMask;
            this.maxFinite = (expMask << m) | (mantMask - 1);
        }
    }

    @Override
    public int width() {
        return (1 + e + m) / 8;
    }

    @Override
    public float toFloat(long raw) {
        int bits = (int) raw & ((1 << (1 + e + m)) - 1);
        int sign = (bits >>> (e + m)) & 1;
        int exp = (bits >>> m) & expMask;
        int mant = bits & mantMask;
        float magnitude;
        if (ieee && exp == expMask) {
            magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (!ieee && exp == expMask && mant == mantMask) {
            magnitude = Float.NaN;
        } else if (exp == 0) {
            // Subnormal: mant * 2^(1 - bias - m), exact in float32 for every format here.
            magnitude = Math.scalb((float) mant, 1 - bias - m);
        } else {
            magnitude = Float.intBitsToFloat(((exp - bias + 127) << 23) | (mant << (23 - m)));
        }
        if (Float.isNaN(magnitude)) {
            return Float.intBitsToFloat(FloatElements.Float32.CANONICAL_NAN);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    @Override
    public long fromFloat(float value) {
        if (Float.isNaN(value)) {
            return canonicalNan;
        }
        int f = Float.floatToRawIntBits(value);
        int sign = (f >>> 31) << (e + m);
        int absBits = f & 0x7fffffff;
        if (absBits >= 0x7f800000) {
            return ieee ? sign | (expMask << m) : canonicalNan;
        }
        int f32exp = absBits >>> 23;
        int f32mant = absBits & 0x7fffff;
        // The significand with its implicit bit (none for float32 subnormals), and its unbiased exponent.
        long significand = f32exp == 0 ? f32mant : (f32mant | 0x800000);
        int unbiased = f32exp == 0 ? -126 : f32exp - 127;
        int targetExp = unbiased + bias;
        int shift;
        if (targetExp >= 1) {
            shift = 23 - m;
        } else {
            // Subnormal in the target: the value is significand * 2^(unbiased-23); the target's step is
            // 2^(1-bias-m).
            shift = 23 - m + (1 - targetExp);
            targetExp = 0;
        }
        long rounded = roundShift(significand, shift);
        int result;
        if (targetExp == 0) {
            // rounded counts steps of the subnormal size; reaching 1 << m means the smallest normal, same encoding.
            result = (int) rounded;
        } else {
            if (rounded >= (2L << m)) {
                rounded >>= 1;
                targetExp++;
            }
            result = (targetExp << m) | ((int) rounded & mantMask);
        }
        if (result > maxFinite) {
            return ieee ? sign | (expMask << m) : canonicalNan;
        }
        return sign | result;
    }

    /** {@code value >> shift}, rounded to nearest with ties to even. */
    private static long roundShift(long value, int shift) {
        if (shift <= 0) {
            return value << -shift;
        }
        if (shift >= 63) {
            return 0;
        }
        long kept = value >>> shift;
        long rest = value & ((1L << shift) - 1);
        long half = 1L << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }
}
