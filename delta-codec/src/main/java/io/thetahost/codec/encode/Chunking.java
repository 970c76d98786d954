package io.thetahost.codec.encode;

import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;

/** How an encoder cuts a tensor into row-aligned chunks of about the configured size. */
final class Chunking {
    private Chunking() {
    }

    /**
     * Rows per chunk: as many as fit in {@code chunkBytes}, at least one, and for packed sub-byte dtypes a multiple
     * that keeps chunk boundaries on whole bytes.
     *
     * @throws IllegalArgumentException when a single row is larger than decoders accept in one chunk
     *     ({@link DecodeLimits#defaults()}): the encoding could not be read back
     */
    static long rowsPerChunk(DType dtype, Shape shape, long chunkBytes) {
        return rowsPerChunk(dtype, shape, chunkBytes, 0);
    }

    /** As above, when each row also carries {@code extraBytesPerRow} of its own (low-rank factor B's rows). */
    static long rowsPerChunk(DType dtype, Shape shape, long chunkBytes, long extraBytesPerRow) {
        long rowBits = Math.max(shape.rowElements() * dtype.bits(), extraBytesPerRow * 8);
        long decodable = DecodeLimits.defaults().maxChunkBytes();
        if (rowBits > decodable * 8) {
            throw new IllegalArgumentException("a row of the " + shape + " " + dtype.formatName() + " tensor takes "
                    + (rowBits + 7) / 8 + " bytes, more than decoders hold in one chunk (" + decodable + ")");
        }
        long rows = Math.max(1, shape.rows());
        if (rowBits == 0) {
            return rows;
        }
        long fit = Math.max(1, chunkBytes * 8 / rowBits);
        long step = 8 / gcd(rowBits % 8 == 0 ? 8 : rowBits % 8, 8);
        long aligned = Math.max(step, fit - fit % step);
        return Math.min(aligned, rows);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
