package io.thetahost.codec.numeric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.protocol.tensor.DType;
import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The element/float32 conversions the canonical applies rest on (docs/DESIGN.md section 3): exact widening, narrowing
 * to nearest with ties to even, one canonical NaN per dtype. Each format is checked against an independent reference
 * built here from the format's definition (sign, exponent, mantissa), not from the code under test.
 */
class FloatElementsTest {

    /** A small binary float format and what its reference says about each bit pattern. */
    enum Format {
        F16(DType.F16, 5, 10, false, 0x7e00),
        BF16(DType.BF16, 8, 7, false, 0x7fc0),
        F8_E5M2(DType.F8_E5M2, 5, 2, false, 0x7e),
        /** float8_e4m3fn: no infinities, only S.1111.111 is NaN, the largest value is 448. */
        F8_E4M3(DType.F8_E4M3, 4, 3, true, 0x7f);

        final DType dtype;
        final int e;
        final int m;
        final boolean fn;
        final int canonicalNan;
        final int bias;
        final int patterns;
        final int signBit;
        /** The largest finite magnitude as bits, and the pattern just above it (infinity, or NaN for FN). */
        final int maxFinite;
        final int overflow;

        Format(DType dtype, int e, int m, boolean fn, int canonicalNan) {
            this.dtype = dtype;
            this.e = e;
            this.m = m;
            this.fn = fn;
            this.canonicalNan = canonicalNan;
            this.bias = (1 << (e - 1)) - 1;
            this.patterns = 1 << (1 + e + m);
            this.signBit = 1 << (e + m);
            this.overflow = fn ? signBit - 1 : ((1 << e) - 1) << m;
            this.maxFinite = overflow - 1;
        }

        FloatElements elements() {
            return FloatElements.of(dtype).orElseThrow();
        }

        /** The value a pattern stands for, from the definition of the format. */
        double value(int bits) {
            int exp = (bits >>> m) & ((1 << e) - 1);
            int mant = bits & ((1 << m) - 1);
            boolean negative = (bits & signBit) != 0;
            double magnitude;
            if (!fn && exp == (1 << e) - 1) {
                magnitude = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (fn && exp == (1 << e) - 1 && mant == (1 << m) - 1) {
                magnitude = Double.NaN;
            } else {
                magnitude = finiteMagnitude(bits);
            }
            return negative ? -magnitude : magnitude;
        }

        /** The magnitude of a pattern read as a finite number, even where it means infinity or NaN. */
        double finiteMagnitude(int bits) {
            int exp = (bits >>> m) & ((1 << e) - 1);
            int mant = bits & ((1 << m) - 1);
            if (exp == 0) {
                return Math.scalb((double) mant, 1 - bias - m);
            }
            return Math.scalb((double) ((1 << m) + mant), exp - bias - m);
        }

        /**
         * The reference rounding: the representable value nearest to x, on a tie the one whose last mantissa bit is 0;
         * magnitudes at or past the value just above the largest finite one overflow (infinity, or NaN for FN).
         */
        int round(float x) {
            if (Float.isNaN(x)) {
                return canonicalNan;
            }
            int sign = Float.floatToRawIntBits(x) < 0 ? signBit : 0;
            double a = Math.abs((double) x);
            // Non-negative patterns 0..overflow increase with their value; find lo with value(lo) <= a < value(lo+1).
            if (a >= finiteMagnitude(overflow)) {
                return overflowBits(sign);
            }
            int lo = 0;
            int hi = overflow;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (finiteMagnitude(mid) <= a) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            double halfway = (finiteMagnitude(lo) + finiteMagnitude(lo + 1)) / 2;
            int nearest = a < halfway ? lo : a > halfway ? lo + 1 : ((lo & 1) == 0 ? lo : lo + 1);
            return nearest == overflow ? overflowBits(sign) : sign | nearest;
        }

        private int overflowBits(int sign) {
            return fn ? canonicalNan : sign | overflow;
        }

        boolean isNan(int bits) {
            return Double.isNaN(value(bits));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void everyNonNanPatternWidensExactlyAndNarrowsBackToItself(Format f) {
        FloatElements el = f.elements();
        for (int bits = 0; bits < f.patterns; bits++) {
            if (f.isNan(bits)) {
                continue;
            }
            float widened = el.toFloat(bits);
            assertEquals(Double.doubleToRawLongBits(f.value(bits)), Double.doubleToRawLongBits(widened),
                    "toFloat of " + hex(bits));
            assertEquals(bits, el.fromFloat(widened), "fromFloat(toFloat(" + hex(bits) + "))");
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void everyNanPatternBecomesTheOneCanonicalNan(Format f) {
        FloatElements el = f.elements();
        int nans = 0;
        for (int bits = 0; bits < f.patterns; bits++) {
            if (!f.isNan(bits)) {
                continue;
            }
            nans++;
            float widened = el.toFloat(bits);
            assertTrue(Float.isNaN(widened), "toFloat of " + hex(bits));
            assertEquals(f.canonicalNan, el.fromFloat(widened), "fromFloat(toFloat(" + hex(bits) + "))");
        }
        assertEquals(f.fn ? 2 : 2 * ((1 << f.m) - 1), nans, "NaN patterns of " + f);
        for (int nanBits : new int[] {0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0x7fa5a5a5}) {
            assertEquals(f.canonicalNan, el.fromFloat(Float.intBitsToFloat(nanBits)), "NaN " + hex(nanBits));
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void narrowingRoundsToNearestTiesToEvenAroundEveryHalfwayPoint(Format f) {
        FloatElements el = f.elements();
        for (int lo = 0; lo < f.overflow; lo++) {
            double halfway = (f.finiteMagnitude(lo) + f.finiteMagnitude(lo + 1)) / 2;
            float h = (float) halfway;
            assertEquals(halfway, h, "halfway point after " + hex(lo) + " is a float32");
            for (float x : new float[] {h, Math.nextDown(h), Math.nextUp(h), (float) f.finiteMagnitude(lo)}) {
                assertRoundsLikeReference(f, el, x);
                assertRoundsLikeReference(f, el, -x);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void narrowingRoundsRandomFloatsToNearest(Format f) {
        FloatElements el = f.elements();
        SplittableRandom r = new SplittableRandom(f.ordinal() + 41);
        int smallestExponent = 1 - f.bias - f.m - 3;
        int largestExponent = (1 << f.e) - f.bias + 1;
        for (int i = 0; i < 200_000; i++) {
            float x = i % 2 == 0
                    ? Float.intBitsToFloat(r.nextInt())
                    : Math.scalb((float) (r.nextDouble() * 2 - 1), r.nextInt(smallestExponent, largestExponent + 1));
            assertRoundsLikeReference(f, el, x);
        }
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void zerosInfinitiesAndUnderflowKeepTheirSign(Format f) {
        FloatElements el = f.elements();
        assertEquals(0, el.fromFloat(0f));
        assertEquals(f.signBit, el.fromFloat(-0f));
        float smallest = (float) f.finiteMagnitude(1);
        assertEquals(1, el.fromFloat(smallest), "smallest subnormal");
        assertEquals(f.signBit | 1, el.fromFloat(-smallest), "smallest negative subnormal");
        assertEquals(0, el.fromFloat(smallest / 2), "half the smallest subnormal ties to zero");
        assertEquals(f.signBit, el.fromFloat(-smallest / 2), "negative underflow gives -0");
        assertEquals(1, el.fromFloat(Math.nextUp(smallest / 2)), "just above half the smallest subnormal");
        assertEquals(0, el.fromFloat(Float.MIN_VALUE), "float32's smallest subnormal underflows");
        assertEquals(f.signBit, el.fromFloat(-Float.MIN_VALUE));
        if (f.fn) {
            assertEquals(f.canonicalNan, el.fromFloat(Float.POSITIVE_INFINITY));
            assertEquals(f.canonicalNan, el.fromFloat(Float.NEGATIVE_INFINITY));
        } else {
            assertEquals(f.overflow, el.fromFloat(Float.POSITIVE_INFINITY));
            assertEquals(f.signBit | f.overflow, el.fromFloat(Float.NEGATIVE_INFINITY));
            assertEquals(Float.POSITIVE_INFINITY, el.toFloat(f.overflow));
            assertEquals(Float.NEGATIVE_INFINITY, el.toFloat(f.signBit | f.overflow));
        }
    }

    @Test
    void float16KnownAnswers() {
        FloatElements f16 = FloatElements.of(DType.F16).orElseThrow();
        assertEquals(0x3c00, f16.fromFloat(1.0f));
        assertEquals(0xc100, f16.fromFloat(-2.5f));
        assertEquals(0x0001, f16.fromFloat(0x1p-24f));
        assertEquals(0x0400, f16.fromFloat(0x1p-14f), "smallest normal");
        assertEquals(0x03ff, f16.fromFloat(0x1.ff8p-15f), "largest subnormal");
        assertEquals(0x3555, f16.fromFloat(1f / 3), "1/3 rounds down");
        assertEquals(0x7bff, f16.fromFloat(65504f), "largest finite");
        assertEquals(0x7bff, f16.fromFloat(65519.99f), "just below the overflow threshold");
        assertEquals(0x7c00, f16.fromFloat(65520f), "the overflow threshold ties to infinity");
        assertEquals(0xfc00, f16.fromFloat(-65520f));
        assertEquals(0x3c00, f16.fromFloat(1 + 0x1p-11f), "tie between 1 and 1+2^-10 goes to even 1");
        assertEquals(0x3c02, f16.fromFloat(1 + 3 * 0x1p-11f), "tie between odd and even goes to even");
        assertEquals(0x0000, f16.fromFloat(0x1p-25f), "half the smallest subnormal ties to zero");
        assertEquals(0x0002, f16.fromFloat(3 * 0x1p-25f), "subnormal tie goes to even");
        assertEquals(-2.5f, f16.toFloat(0xc100));
        assertEquals(65504f, f16.toFloat(0x7bff));
        assertEquals(0x1p-24f, f16.toFloat(0x0001));
    }

    @Test
    void bfloat16KnownAnswers() {
        FloatElements bf16 = FloatElements.of(DType.BF16).orElseThrow();
        assertEquals(0x3f80, bf16.fromFloat(1.0f));
        assertEquals(0x3f80, bf16.fromFloat(Float.intBitsToFloat(0x3f808000)), "tie to even, down");
        assertEquals(0x3f82, bf16.fromFloat(Float.intBitsToFloat(0x3f818000)), "tie to even, up");
        assertEquals(0x3f81, bf16.fromFloat(Float.intBitsToFloat(0x3f808001)), "above the tie");
        assertEquals(0xc020, bf16.fromFloat(-2.5f));
        assertEquals(0x7f7f, bf16.fromFloat(Float.intBitsToFloat(0x7f7f7fff)), "below the overflow threshold");
        assertEquals(0x7f80, bf16.fromFloat(Float.MAX_VALUE), "float32's largest value overflows");
        assertEquals(0x0001, bf16.fromFloat(Float.intBitsToFloat(0x00010000)), "subnormal");
        assertEquals(0x0000, bf16.fromFloat(Float.intBitsToFloat(0x00008000)), "subnormal tie to zero");
        assertEquals(0x0080, bf16.fromFloat(Float.intBitsToFloat(0x007fffff)), "rounds up into the normals");
    }

    @Test
    void float8KnownAnswers() {
        FloatElements e4m3 = FloatElements.of(DType.F8_E4M3).orElseThrow();
        assertEquals(0x38, e4m3.fromFloat(1.0f));
        assertEquals(0x7e, e4m3.fromFloat(448f), "largest finite");
        assertEquals(0xfe, e4m3.fromFloat(-448f));
        assertEquals(0x7e, e4m3.fromFloat(449f), "rounds down to the largest finite");
        assertEquals(0x7e, e4m3.fromFloat(464f), "the tie between 448 and the NaN pattern goes to even 448");
        assertEquals(0x7f, e4m3.fromFloat(Math.nextUp(464f)), "past the tie: NaN, there is no infinity");
        assertEquals(0x7f, e4m3.fromFloat(480f));
        assertEquals(0x7f, e4m3.fromFloat(-1e6f), "negative overflow is the canonical (positive) NaN");
        assertEquals(0x01, e4m3.fromFloat(0x1p-9f), "smallest subnormal");
        assertEquals(448f, e4m3.toFloat(0x7e));
        assertEquals(-448f, e4m3.toFloat(0xfe));
        assertEquals(0x1p-9f, e4m3.toFloat(0x01));
        assertTrue(Float.isNaN(e4m3.toFloat(0xff)));
        assertEquals(256f, e4m3.toFloat(0x78), "the all-ones exponent holds ordinary numbers");

        FloatElements e5m2 = FloatElements.of(DType.F8_E5M2).orElseThrow();
        assertEquals(0x3c, e5m2.fromFloat(1.0f));
        assertEquals(0x7b, e5m2.fromFloat(57344f), "largest finite");
        assertEquals(0x7b, e5m2.fromFloat(Math.nextDown(61440f)));
        assertEquals(0x7c, e5m2.fromFloat(61440f), "the overflow threshold ties to infinity");
        assertEquals(0xfc, e5m2.fromFloat(-1e6f));
        assertEquals(0x01, e5m2.fromFloat(0x1p-16f), "smallest subnormal");
    }

    @Test
    void float32IsTheIdentityExceptForNan() {
        FloatElements f32 = FloatElements.of(DType.F32).orElseThrow();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            int bits = r.nextInt();
            float x = Float.intBitsToFloat(bits);
            long expected = Float.isNaN(x) ? 0x7fc00000L : bits & 0xffffffffL;
            assertEquals(expected, f32.fromFloat(f32.toFloat(bits & 0xffffffffL)), hex(bits));
        }
        assertEquals(0x80000000L, f32.fromFloat(-0f));
        assertEquals(0x7fc00000L, f32.fromFloat(Float.intBitsToFloat(0xffc00001)));
    }

    @Test
    void float64ReadsByRoundingToNearestEvenAndWritesByExactWidening() {
        FloatElements f64 = FloatElements.of(DType.F64).orElseThrow();
        assertEquals(1.0f, f64.toFloat(bits(1 + 0x1p-24)), "tie goes to even 1");
        assertEquals(1 + 0x1p-22f, f64.toFloat(bits(1 + 3 * 0x1p-24)), "tie goes to even 1+2^-22");
        assertEquals(1 + 0x1p-23f, f64.toFloat(bits(1 + 0x1p-24 + 0x1p-50)), "above the tie");
        assertEquals(Float.POSITIVE_INFINITY, f64.toFloat(bits(Double.MAX_VALUE)));
        assertEquals(Float.MAX_VALUE, f64.toFloat(bits(Float.MAX_VALUE + 0x1p103 - 0x1p80)));
        assertEquals(Float.POSITIVE_INFINITY, f64.toFloat(bits(Float.MAX_VALUE + 0x1p103)), "overflow tie");
        assertEquals(0f, f64.toFloat(bits(0x1p-150)), "underflow tie goes to zero");
        assertEquals(Float.MIN_VALUE, f64.toFloat(bits(0x1p-150 + 0x1p-200)));
        assertEquals(0x80000000, Float.floatToRawIntBits(f64.toFloat(bits(-0x1p-160))), "-0 on underflow");
        assertEquals(0x7fc00000, Float.floatToRawIntBits(f64.toFloat(0xfff0000000000123L)), "canonical NaN");
        assertEquals(0x7ff8000000000000L, f64.fromFloat(Float.intBitsToFloat(0xff800001)));

        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 50_000; i++) {
            double d = i % 2 == 0 ? Double.longBitsToDouble(r.nextLong())
                    : Math.scalb(r.nextDouble() * 2 - 1, r.nextInt(-155, 130));
            if (Double.isNaN(d)) {
                continue;
            }
            float got = f64.toFloat(bits(d));
            assertNearestFloat(d, got);
            assertEquals(bits((double) got), f64.fromFloat(got), "widening is exact");
        }
    }

    /** got is a float nearest to d, and on a tie the one with an even last bit. */
    private static void assertNearestFloat(double d, float got) {
        if (Double.isInfinite(d) || Float.isInfinite(got)) {
            assertEquals(d > 0, got > 0, "sign of " + d);
            assertTrue(Math.abs(d) >= Float.MAX_VALUE + 0x1p103 || Double.isInfinite(d), d + " to " + got);
            return;
        }
        BigDecimal exact = new BigDecimal(d);
        BigDecimal err = exact.subtract(new BigDecimal(got)).abs();
        for (float neighbour : new float[] {Math.nextUp(got), Math.nextDown(got)}) {
            if (Float.isInfinite(neighbour)) {
                continue;
            }
            int cmp = err.compareTo(exact.subtract(new BigDecimal(neighbour)).abs());
            assertTrue(cmp < 0 || cmp == 0 && (Float.floatToRawIntBits(got) & 1) == 0,
                    d + " rounds to " + got + ", but " + neighbour + " is as near");
        }
    }

    private static void assertRoundsLikeReference(Format f, FloatElements el, float x) {
        assertEquals(hex(f.round(x)), hex((int) el.fromFloat(x)), () -> f + " of " + x + " (" + hex(
                Float.floatToRawIntBits(x)) + ")");
    }

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /**
     * The bulk forms the canonical applies use are the element forms, at any offset and length: float32 and bfloat16
     * write and read in bulk (float32's write copies the bits, then makes NaNs canonical), the others element by
     * element.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16", "F8_E5M2", "F8_E4M3"})
    void bulkConversionsAreTheElementConversions(DType dtype) {
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        SplittableRandom r = new SplittableRandom(dtype.ordinal());
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7fa00001), Float.intBitsToFloat(0xffc00000),
            Float.intBitsToFloat(0xff800001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
            Float.MIN_VALUE, Float.MAX_VALUE};
        for (int count : new int[] {1, 7, 64, 1000}) {
            float[] values = new float[count];
            for (int j = 0; j < count; j++) {
                values[j] = r.nextInt(4) == 0 ? special[r.nextInt(special.length)]
                        : Float.intBitsToFloat(r.nextInt());
            }
            int first = r.nextInt(5);
            int width = f.width();
            byte[] bulk = new byte[(first + count + 3) * width];
            r.nextBytes(bulk);
            byte[] single = bulk.clone();
            f.fromFloats(values, bulk, first, count);
            for (int j = 0; j < count; j++) {
                Elements.set(single, first + j, width, f.fromFloat(values[j]));
            }
            assertArrayEquals(single, bulk, dtype + ": " + count + " values written from element " + first);
            float[] read = new float[count];
            f.toFloats(bulk, first, read, count);
            for (int j = 0; j < count; j++) {
                float one = f.toFloat(Elements.get(bulk, first + j, width));
                assertEquals(Float.floatToRawIntBits(one), Float.floatToRawIntBits(read[j]), dtype + " element " + j);
            }
        }
    }

    private static String hex(int bits) {
        return "0x" + Integer.toHexString(bits);
    }
}
