package io.thetahost.codec.decode;

import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.Optional;

/** Where a decoder finds the base a patch names. */
public interface BaseLookup {

    /** The base tensor's bytes, streamed from the start; empty when it is not available. */
    Optional<BaseTensor> open(TensorId id) throws IOException;

    BaseLookup NONE = id -> Optional.empty();
}
