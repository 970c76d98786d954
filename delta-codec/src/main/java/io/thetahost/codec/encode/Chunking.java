package io.thetahost.codec.encode;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;

/** How an encoder cuts a tensor into row-aligned chunks of about the configured size. */
final class Chunking {
    private Chunking() {
    }

    /**
     * Rows per chunk: as many as fit in {@code chunkBytes}, at least one, and for packed sub-byte dtypes a multiple
     * that keeps chunk boundaries on whole bytes.
     */
    static long rowsPerChunk(DType dtype, Shape shape, long chunkBytes) {
        long rowBits = shape.rowElements() * dtype.bits();
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
