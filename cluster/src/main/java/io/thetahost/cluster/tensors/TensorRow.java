package io.thetahost.cluster.tensors;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.objectdb.TensorMeta;
import io.thetahost.objectdb.store.CorruptStoreException;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.time.Instant;
import java.util.Arrays;

/**
 * A {@code tensors} row as the database holds it, read apart from its meaning so that fsck can report a row that
 * does not parse instead of failing on it. {@link #meta()} checks it.
 */
record TensorRow(String id, String dtype, long[] shape, long size, String kind, String base, int chainDepth,
        long encodedBytes, boolean hasNaN, boolean hasInf, String objectKey, Instant storedAt) {

    /** The columns, in the order of the record, for SELECTs. */
    static final String COLUMNS = "id, dtype, shape, size, kind, base, chain_depth, encoded_bytes, has_nan, has_inf, "
            + "object_key, stored_at";

    static String kindName(EncodingKind kind) {
        return kind.displayName();
    }

    /**
     * What the row says, checked as the RocksDB store checks its meta records.
     *
     * @throws CorruptStoreException naming the row and what does not parse
     */
    TensorMeta meta() throws CorruptStoreException {
        try {
            TensorId tensor = TensorId.parse(id);
            DType d = DType.byFormatName(dtype).orElseThrow(() -> new IllegalArgumentException(
                    "unknown dtype '" + dtype + "'"));
            EncodingKind k = Arrays.stream(EncodingKind.values()).filter(e -> e.displayName().equals(kind))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown kind '" + kind + "'"));
            Shape s = Shape.of(shape);
            if (d.sizeOf(s.elements()) != size) {
                throw new IllegalArgumentException("size " + size + " is not that of a " + dtype + " " + s
                        + " tensor");
            }
            return new TensorMeta(tensor, d, s, size, k, base == null ? null : TensorId.parse(base), chainDepth,
                    encodedBytes, hasNaN, hasInf, storedAt);
        } catch (IllegalArgumentException e) {
            throw new CorruptStoreException("the tensors row of " + id + " does not parse: " + e.getMessage());
        }
    }
}
