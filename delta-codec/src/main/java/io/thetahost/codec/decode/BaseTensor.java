package io.thetahost.codec.decode;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.InputStream;

/** A base tensor a patch applies to: what it is, and its raw bytes from the start. */
public record BaseTensor(DType dtype, Shape shape, InputStream bytes) {
}
