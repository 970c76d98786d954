package io.thetahost.codec.encode;

/**
 * Factors of a low-rank update in the canonical orientation: B is m x r and A is r x n, both row-major float32, any
 * scale already folded into B, so that the update of the m x n matrix is B times A.
 */
public record LowRankFactors(int rank, int rows, int columns, float[] b, float[] a) {

    public LowRankFactors {
        if (rank < 1 || b.length != (long) rows * rank || a.length != (long) rank * columns) {
            throw new IllegalArgumentException("factors of rank " + rank + " for a " + rows + " x " + columns
                    + " matrix need B of " + (long) rows * rank + " and A of " + (long) rank * columns
                    + " values, not " + b.length + " and " + a.length);
        }
    }

    /** The rows of B from {@code firstRow}. */
    public float[] bRows(long firstRow, long count) {
        return bRows(RowRanges.of(firstRow, count));
    }

    /** The rows of B of each range, one range after the other: for one chunk, or for a sample priced as one. */
    float[] bRows(RowRanges rows) {
        return rows.gather(b, rank);
    }

    /** What the factors cost stored raw (B and A as float32). */
    public long rawBytes() {
        return 4L * (b.length + a.length);
    }
}
