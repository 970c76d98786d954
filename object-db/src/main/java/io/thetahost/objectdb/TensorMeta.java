package io.thetahost.objectdb;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.time.Instant;
import java.util.Objects;

/**
 * What the store knows about a stored tensor without reading its bytes.
 *
 * @param size the raw tensor's bytes ({@code dtype.sizeOf(shape.elements())})
 * @param kind how the tensor is stored, which is not always how it was uploaded (a too-deep patch is stored dense)
 * @param base the tensor the stored encoding patches; null when {@code kind} is self-contained
 * @param chainDepth 0 for a self-contained encoding, else the base's depth plus one
 * @param encodedBytes the stored encoding's length
 * @param hasNaN whether some element is a NaN (always false for dtypes without float values)
 * @param hasInf whether some element is an infinity (likewise)
 * @param storedAt when the tensor became visible, to the millisecond
 */
public record TensorMeta(
        TensorId id,
        DType dtype,
        Shape shape,
        long size,
        EncodingKind kind,
        TensorId base,
        int chainDepth,
        long encodedBytes,
        boolean hasNaN,
        boolean hasInf,
        Instant storedAt) {

    public TensorMeta {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(storedAt, "storedAt");
        if ((base != null) != kind.needsBase()) {
            throw new IllegalArgumentException(kind.displayName() + " encoding " + (base == null ? "without" : "with")
                    + " a base");
        }
        if (kind.needsBase() ? chainDepth < 1 : chainDepth != 0) {
            throw new IllegalArgumentException("chain depth " + chainDepth + " for a " + kind.displayName()
                    + " encoding");
        }
        if (size < 0 || encodedBytes < 0) {
            throw new IllegalArgumentException("negative size");
        }
    }
}
