package io.thetahost.codec.encode;

import java.util.Arrays;

/**
 * The rows a chunk's bytes hold, in order: one range for a chunk of the tensor, several for a sample priced as one
 * chunk ({@link RowSample#rows()}). What a kind needs per row beyond the bytes (low-rank factor B's rows) is gathered
 * from them.
 */
record RowRanges(long[] firsts, long[] counts) {

    RowRanges {
        if (firsts.length != counts.length) {
            throw new IllegalArgumentException(firsts.length + " first rows for " + counts.length + " counts");
        }
    }

    static RowRanges of(long first, long count) {
        return new RowRanges(new long[] {first}, new long[] {count});
    }

    long total() {
        return Arrays.stream(counts).sum();
    }

    /** Each range's rows of a row-major matrix of {@code width} values a row, one range after the other. */
    float[] gather(float[] matrix, int width) {
        float[] out = new float[Math.toIntExact(total() * width)];
        int at = 0;
        for (int r = 0; r < firsts.length; r++) {
            int length = Math.toIntExact(counts[r] * width);
            System.arraycopy(matrix, Math.toIntExact(firsts[r] * width), out, at, length);
            at += length;
        }
        return out;
    }
}
