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

    /**
     * Whether the streams this source opens check the bytes against the id themselves, failing at their end when they
     * do not hash to it (a decoder of a content-addressed store does): the assembler then only counts them, rather
     * than hash every byte a second time.
     */
    default boolean verifiesIds() {
        return false;
    }
}
