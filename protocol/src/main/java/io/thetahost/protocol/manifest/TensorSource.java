package io.thetahost.protocol.manifest;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.io.InputStream;

/** Gives a tensor's raw bytes by id, for assembling a checkpoint. The bytes are verified against the id as read. */
@FunctionalInterface
public interface TensorSource {
    /** The stream is closed by the caller. */
    InputStream open(TensorId id, DType dtype, Shape shape) throws IOException;
}
