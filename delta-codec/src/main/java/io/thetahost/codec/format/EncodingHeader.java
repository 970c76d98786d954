package io.thetahost.codec.format;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;

/**
 * What an encoding says about itself before its sections: its kind, the tensor it decodes to, the base it patches,
 * and how the tensor's rows are cut into chunks.
 *
 * @param base null for self-contained kinds
 * @param rowsPerChunk rows of the tensor per chunk (see {@link Shape#rows()}); the last chunk may hold fewer
 * @param rank the low-rank rank, 0 for other kinds
 * @param magnitude the sparse-ternary magnitude, 0 for other kinds
 * @param version the format version: 2 (product-first low-rank apply) or 1; see {@link #versionFor}
 */
public record EncodingHeader(
        EncodingKind kind,
        DType dtype,
        Shape shape,
        TensorId target,
        TensorId base,
        long rowsPerChunk,
        int rank,
        float magnitude,
        int version) {

    /** The first format: a low-rank encoding applies each product to the base in turn. */
    public static final int VERSION_1 = 1;
    /** Version 2 changes only the low-rank apply: the factors' product first, then the base (ENCODINGS.md). */
    public static final int VERSION_2 = 2;

    /**
     * The version a writer gives an encoding of this kind: 2 for low-rank, whose meaning changed, and 1 for the
     * others, whose meaning did not, so that readers of version 1 still read them.
     */
    public static int versionFor(EncodingKind kind) {
        return kind == EncodingKind.LOW_RANK ? VERSION_2 : VERSION_1;
    }

    public long chunkCount() {
        long rows = shape.rows();
        return rows == 0 ? 0 : (rows - 1) / rowsPerChunk + 1;
    }

    public long firstRow(long chunk) {
        return chunk * rowsPerChunk;
    }

    public long chunkRows(long chunk) {
        return Math.min(rowsPerChunk, shape.rows() - chunk * rowsPerChunk);
    }

    public long chunkElements(long chunk) {
        return chunkRows(chunk) * shape.rowElements();
    }

    public long chunkBytes(long chunk) {
        return dtype.sizeOf(chunkElements(chunk));
    }

    public long tensorBytes() {
        return dtype.sizeOf(shape.elements());
    }
}
