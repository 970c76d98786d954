package io.thetahost.codec.encodings;

import io.thetahost.codec.format.BytePlanes;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;

/** A chunk as its bitwise difference to the base, in byte planes: any change, exactly, for any dtype. */
public final class XorEncoding {
    private XorEncoding() {
    }

    public static Section encode(byte[] target, byte[] base, DType dtype) {
        int width = Units.of(dtype).width();
        return new Section(SectionTag.PLANES, BytePlanes.split(xor(target, base), width, false), width);
    }

    /** XORs the planes' units into the base chunk, in place, and returns it. */
    static byte[] apply(byte[] planes, byte[] base, DType dtype) {
        BytePlanes.joinXor(planes, Units.of(dtype).width(), base);
        return base;
    }

    private static byte[] xor(byte[] a, byte[] b) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (byte) (a[i] ^ b[i]);
        }
        return out;
    }
}
