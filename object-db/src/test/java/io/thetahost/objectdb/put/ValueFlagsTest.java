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
