package io.thetahost.protocol.manifest;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;

/** One line of a manifest's tensor list: a tensor's name, dtype, shape and the id of its value. */
public record ManifestTensor(String name, DType dtype, Shape shape, TensorId id) {
    public ManifestTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(id, "id");
    }
}
