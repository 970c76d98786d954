package io.thetahost.protocol.safetensors;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.util.Objects;

/**
 * One tensor as a safetensors header declares it. {@code begin} and {@code end} are byte offsets relative to the
 * start of the data area (the byte after the header), end exclusive.
 */
public record TensorEntry(String name, DType dtype, Shape shape, long begin, long end) {
    public TensorEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("data offsets [" + begin + ", " + end + "] of " + Quoting.quote(name));
        }
    }

    /** The number of bytes the tensor holds: {@code end - begin}. */
    public long size() {
        return end - begin;
    }

    /** As messages and the header write them: {@code [begin, end]}. */
    String offsetsText() {
        return "[" + begin + ", " + end + "]";
    }
}
