package io.thetahost.codec.encodings;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;

/** How the element-wise codecs see a dtype: units of a fixed byte width, and whether to rotate floats' sign bit. */
record Units(int width, boolean rotateSign) {

    static Units of(DType dtype) {
        int width = Elements.unitWidth(dtype.bits());
        return new Units(width, dtype.kind() == DType.Kind.FLOAT && dtype.isByteAligned() && width >= 2);
    }
}
