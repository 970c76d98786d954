package io.thetahost.objectdb.repack;

import io.thetahost.protocol.tensor.TensorId;
import java.util.Objects;

/**
 * Two versions of one parameter that are neighbours in some repository's history (a commit's and its parent's, at
 * the same path and name). Either may be stored as a patch against the other.
 */
public record Neighbours(TensorId a, TensorId b) {
    public Neighbours {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
    }
}
