package io.thetahost.objectdb.put;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.protocol.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** NaN and Inf found per dtype, whatever the cuts between the pieces of bytes. */
class ValueFlagsTest {
    private static String flags(DType dtype, byte[] raw, int cut) {
        ValueFlags f = ValueFlags.of(dtype);
        for (int off = 0; off < raw.length; off += cut) {
            f.update(raw, off, Math.min(cut, raw.length - off));
        }
        return (f.hasNaN() ? "NaN" : "-") + "/" + (f.hasInf() ? "Inf" : "-");
    }

    private static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] u16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void floatFormats() {
        for (int cut : new int[] {1, 3, 4, 7, 1000}) {
            assertEquals("-/-", flags(DType.F32, f32(1f, -0f, Float.MAX_VALUE, Float.MIN_VALUE), cut));
            assertEquals("NaN/-", flags(DType.F32, f32(1f, Float.NaN), cut));
            assertEquals("-/Inf", flags(DType.F32, f32(Float.NEGATIVE_INFINITY, 2f), cut));
            assertEquals("NaN/Inf", flags(DType.C64, f32(0f, Float.POSITIVE_INFINITY, Float.NaN, 0f), cut));
        }
        ByteBuffer d = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(1.0).putDouble(Double.NaN).putDouble(Double.POSITIVE_INFINITY);
        assertEquals("NaN/Inf", flags(DType.F64, d.array(), 5));
        assertEquals("-/Inf", flags(DType.F16, u16(0x3c00, 0xfc00), 1));
        assertEquals("NaN/-", flags(DType.F16, u16(0x7e00), 2));
        assertEquals("NaN/-", flags(DType.BF16, u16(0x3f80, 0x7fc1), 3));
        assertEquals("-/Inf", flags(DType.BF16, u16(0xff80), 2));
        assertEquals("-/-", flags(DType.BF16, u16(0x7f7f), 2));
    }

    /**
     * The scan reads 8 bytes at a time: one special value at every position of a longer run of ordinary values
     * (whose exponents come close to all ones), fed in pieces cut at every offset, is found, and nothing else is.
     */
    @Test
    void oneSpecialValueAnywhereInARun() {
        for (int n = 1; n <= 19; n++) {
            for (int at = 0; at < n; at++) {
                int[] bf16 = new int[n];
                float[] f32 = new float[n];
                for (int k = 0; k < n; k++) {
                    bf16[k] = k % 2 == 0 ? 0x7f7f : 0xff00;
                    f32[k] = k % 2 == 0 ? Float.MAX_VALUE : -1.5f;
                }
                assertEquals("-/-", flags(DType.BF16, u16(bf16), 8 + n % 5));
                assertEquals("-/-", flags(DType.F32, f32(f32), 8 + n % 5));
                bf16[at] = 0xff80;
                f32[at] = Float.NaN;
                for (int cut : new int[] {1, 8, 8 + at % 7, 1000}) {
                    assertEquals("-/Inf", flags(DType.BF16, u16(bf16), cut), "bf16 n=" + n + " at=" + at);
                    assertEquals("NaN/-", flags(DType.F32, f32(f32), cut), "f32 n=" + n + " at=" + at);
                }
            }
        }
    }

    @Test
    void eightBitFormats() {
        assertEquals("-/Inf", flags(DType.F8_E5M2, new byte[] {0x7c, 0x00}, 1));
        assertEquals("NaN/-", flags(DType.F8_E5M2, new byte[] {0x7d}, 1));
        assertEquals("-/-", flags(DType.F8_E4M3, new byte[] {0x7e, (byte) 0xfe}, 1));
        assertEquals("NaN/-", flags(DType.F8_E4M3, new byte[] {(byte) 0xff}, 1));
        assertEquals("NaN/-", flags(DType.F8_E4M3FNUZ, new byte[] {(byte) 0x80}, 1));
        assertEquals("-/-", flags(DType.F8_E5M2FNUZ, new byte[] {(byte) 0x7f, (byte) 0xff}, 1));
        assertEquals("NaN/-", flags(DType.F8_E8M0, new byte[] {(byte) 0xff}, 1));
    }

    @Test
    void dtypesWithoutFloatValuesHaveNeither() {
        byte[] ones = new byte[16];
        java.util.Arrays.fill(ones, (byte) 0xff);
        for (DType t : new DType[] {DType.I32, DType.U8, DType.BOOL, DType.I64, DType.F4, DType.F6_E2M3}) {
            assertEquals("-/-", flags(t, ones, 3), t.formatName());
        }
    }
}
