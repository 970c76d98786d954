package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;

/**
 * The {@code object <id> <length>} line that starts an object in an upload request: the id the encoding must decode
 * to and the exact number of encoding bytes that follow.
 */
public record ObjectHeader(TensorId id, long length) {
    public ObjectHeader {
        Objects.requireNonNull(id, "id");
        if (length < 0) {
            throw new IllegalArgumentException("negative object length " + length);
        }
    }
}
