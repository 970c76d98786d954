package io.thetahost.codec.encodings;

import io.thetahost.codec.format.BytePlanes;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.protocol.tensor.DType;

/** A self-contained chunk: its byte planes (floats rotated so the exponent has a byte to itself). */
public final class DenseEncoding {
    private DenseEncoding() {
    }

    public static Section encode(byte[] chunk, DType dtype) {
        Units u = Units.of(dtype);
        return new Section(SectionTag.PLANES, BytePlanes.split(chunk, u.width(), u.rotateSign()), u.width());
    }

    /** Joins the planes into {@code into}, of their length. */
    static byte[] apply(byte[] planes, DType dtype, byte[] into) {
        Units u = Units.of(dtype);
        BytePlanes.join(planes, u.width(), u.rotateSign(), into);
        return into;
    }
}
