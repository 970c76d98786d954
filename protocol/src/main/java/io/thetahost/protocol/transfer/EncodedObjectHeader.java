package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code object <id> <kind> <length> [base <base-id>]} line that starts an object in a download response: the
 * tensor, the kind of its encoding, the base a patch applies to (present exactly when the kind needs one) and the
 * exact number of encoding bytes that follow.
 */
public record EncodedObjectHeader(TensorId id, WireEncoding encoding, Optional<TensorId> base, long length) {
    public EncodedObjectHeader {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(base, "base");
        if (length < 0) {
            throw new IllegalArgumentException("negative object length " + length);
        }
        if (base.isPresent() != encoding.needsBase()) {
            throw new IllegalArgumentException(encoding.wireName() + " object " + id
                    + (encoding.needsBase() ? " needs a base" : " takes no base"));
        }
        if (base.isPresent() && base.get().equals(id)) {
            throw new IllegalArgumentException("object " + id + " names itself as its base");
        }
    }
}
