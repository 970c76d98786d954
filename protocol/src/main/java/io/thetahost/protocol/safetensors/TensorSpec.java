package io.thetahost.protocol.safetensors;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.util.Objects;

/** A tensor to be written to a fresh header: its name, dtype and shape, offsets still to be laid out. */
public record TensorSpec(String name, DType dtype, Shape shape) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
    }

    /** The spec of an existing entry, for rebuilding a header from a parsed one. */
    public static TensorSpec of(TensorEntry entry) {
        return new TensorSpec(entry.name(), entry.dtype(), entry.shape());
    }
}
