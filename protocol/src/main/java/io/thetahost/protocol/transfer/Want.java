package io.thetahost.protocol.transfer;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code want} line of a download: a tensor the client lacks and, optionally, the tensor it holds for the same
 * parameter (usually the previous version), which the server may encode against.
 */
public record Want(TensorId id, Optional<TensorId> base) {
    public Want {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(base, "base");
        if (base.isPresent() && base.get().equals(id)) {
            throw new IllegalArgumentException("want " + id + " names itself as its base");
        }
    }

    public static Want of(TensorId id) {
        return new Want(id, Optional.empty());
    }

    public static Want of(TensorId id, TensorId base) {
        return new Want(id, Optional.of(base));
    }
}
