package io.thetahost.codec.encode;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A tensor an encoder reads, as often as it needs, from the start. */
public interface TensorInput {
    DType dtype();

    Shape shape();

    /** The raw little-endian bytes, from the first. */
    InputStream open() throws IOException;

    default long byteSize() {
        return dtype().sizeOf(shape().elements());
    }

    /** A tensor held in memory (tests, and small tensors). */
    static TensorInput of(DType dtype, Shape shape, byte[] raw) {
        if (raw.length != dtype.sizeOf(shape.elements())) {
            throw new IllegalArgumentException(raw.length + " bytes for a " + dtype.formatName() + " " + shape
                    + " tensor of " + dtype.sizeOf(shape.elements()) + " bytes");
        }
        return new TensorInput() {
            @Override
            public DType dtype() {
                return dtype;
            }

            @Override
            public Shape shape() {
                return shape;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(raw);
            }
        };
    }
}
