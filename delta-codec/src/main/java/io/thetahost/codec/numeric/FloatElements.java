package io.thetahost.codec.numeric;

import io.thetahost.protocol.tensor.DType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Element bits of a floating-point dtype to float32 and back, as the canonical applies (docs/DESIGN.md section 3) need:
 * widening is exact (except F64, which rounds to nearest), narrowing rounds to nearest even, and every NaN becomes
 * one canonical NaN of the dtype so that results do not depend on the machine's NaN propagation. Pure Java, no
 * fused operations.
 */
public interface FloatElements {

    /** The element as float32. */
    float toFloat(long bits);

    /** The float32 value rounded to the dtype (to nearest, ties to even), as element bits. */
    long fromFloat(float value);

    /** Bytes per element. */
    int width();

    /**
     * {@link #toFloat} of {@code count} elements of {@code raw} from element {@code first}, into {@code out}: the bulk
     * form the canonical applies use a row at a time (float32 and bfloat16 override it with direct loads).
     */
    default void toFloats(byte[] raw, int first, float[] out, int count) {
        int width = width();
        for (int j = 0; j < count; j++) {
            out[j] = toFloat(Elements.get(raw, first + j, width));
        }
    }

    /** {@link #fromFloat} of {@code count} values, stored in {@code raw} from element {@code first}. */
    default void fromFloats(float[] values, byte[] raw, int first, int count) {
        int width = width();
        for (int j = 0; j < count; j++) {
            Elements.set(raw, first + j, width, fromFloat(values[j]));
        }
    }

    /** Float math for a dtype, when the canonical applies support it. */
    static Optional<FloatElements> of(DType dtype) {
        switch (dtype) {
            case F32:
                return Optional.of(Float32.INSTANCE);
            case F64:
                return Optional.of(Float64.INSTANCE);
            case BF16:
                return Optional.of(BFloat16.INSTANCE);
            case F16:
                return Optional.of(MiniFloat.F16);
            case F8_E5M2:
                return Optional.of(MiniFloat.F8_E5M2);
            case F8_E4M3:
                return Optional.of(MiniFloat.F8_E4M3FN);
            default:
                return Optional.empty();
        }
    }

    /** float32 itself; NaNs are made canonical. */
    final class Float32 implements FloatElements {
        static final Float32 INSTANCE = new Float32();
        static final int CANONICAL_NAN = 0x7fc00000;
        private static final VarHandle INT =
                MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

        @Override
        public int width() {
            return 4;
        }

        /**
         * A bulk copy of the bits (the machine's order is little-endian, where this is one memory copy): element by
         * element through the view handle was not vectorized, and took most of the low-rank detector's reading of D.
         */
        @Override
        public void toFloats(byte[] raw, int first, float[] out, int count) {
            ByteBuffer.wrap(raw, 4 * first, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out, 0, count);
        }

        /**
         * A bulk copy of the bits, then each NaN (rare: the row's scan finds none) overwritten with the canonical one.
         * Element by element through {@link Float#floatToIntBits} and the view handle was not vectorized: decoding the
         * fixtures' LoRA merge went from 323-344 to 346-370 MB/s in alternating runs.
         */
        @Override
        public void fromFloats(float[] values, byte[] raw, int first, int count) {
            ByteBuffer.wrap(raw, 4 * first, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .put(values, 0, count);
            for (int j = 0; j < count; j++) {
                if (values[j] != values[j]) {
                    INT.set(raw, 4 * (first + j), CANONICAL_NAN);
                }
            }
        }

        @Override
        public float toFloat(long bits) {
            return Float.intBitsToFloat((int) bits);
        }

        @Override
        public long fromFloat(float value) {
            return Float.isNaN(value) ? CANONICAL_NAN : Float.floatToRawIntBits(value) & 0xffffffffL;
        }
    }

    /** float64: read by rounding to float32, written by exact widening. */
    final class Float64 implements FloatElements {
        static final Float64 INSTANCE = new Float64();
        static final long CANONICAL_NAN = 0x7ff8000000000000L;

        @Override
        public int width() {
            return 8;
        }

        @Override
        public float toFloat(long bits) {
            double d = Double.longBitsToDouble(bits);
            return Double.isNaN(d) ? Float.intBitsToFloat(Float32.CANONICAL_NAN) : (float) d;
        }

        @Override
        public long fromFloat(float value) {
            return Float.isNaN(value) ? CANONICAL_NAN : Double.doubleToRawLongBits(value);
        }
    }

    /** bfloat16: the top half of a float32. */
    final class BFloat16 implements FloatElements {
        static final BFloat16 INSTANCE = new BFloat16();
        static final int CANONICAL_NAN = 0x7fc0;
        private static final VarHandle SHORT =
                MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

        @Override
        public int width() {
            return 2;
        }

        @Override
        public void toFloats(byte[] raw, int first, float[] out, int count) {
            for (int j = 0; j < count; j++) {
                out[j] = Float.intBitsToFloat((short) SHORT.get(raw, 2 * (first + j)) << 16);
            }
        }

        @Override
        public void fromFloats(float[] values, byte[] raw, int first, int count) {
            for (int j = 0; j < count; j++) {
                SHORT.set(raw, 2 * (first + j), (short) fromFloat(values[j]));
            }
        }

        @Override
        public float toFloat(long bits) {
            return Float.intBitsToFloat((int) ((bits & 0xffff) << 16));
        }

        @Override
        public long fromFloat(float value) {
            if (Float.isNaN(value)) {
                return CANONICAL_NAN;
            }
            int bits = Float.floatToRawIntBits(value);
            int roundingBias = 0x7fff + ((bits >>> 16) & 1);
            return ((bits + roundingBias) >>> 16) & 0xffff;
        }
    }
}
