package io.thetahost.protocol.manifest;

import io.thetahost.protocol.safetensors.TensorEntry;
import java.io.IOException;

/**
 * Receives each tensor of a checkpoint being split, in file order, while its id is computed in the same pass.
 *
 * <p>A content-addressed store reads {@code bytes} to its end into a temporary place, then asks
 * {@link TensorStream#id()} (known only once every byte has been read) and only then makes the tensor visible under
 * that id. Bytes left unread when {@code accept} returns are read and hashed by the caller, so a sink that does not
 * need a tensor (it already has the id, say) may ignore them. A tensor stored this way is a correct value even if the
 * checkpoint is refused further on; the manifest is returned only when the whole file passed.
 */
@FunctionalInterface
public interface TensorSink {
    /** A sink that keeps nothing: for computing a manifest alone. */
    TensorSink DISCARD = (entry, bytes) -> { };

    void accept(TensorEntry entry, TensorStream bytes) throws IOException;
}
