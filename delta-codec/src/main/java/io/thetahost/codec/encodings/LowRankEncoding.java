package io.thetahost.codec.encodings;

import io.thetahost.codec.format.EncodingHeader;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.InvalidEncodingException;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A matrix chunk as the canonical low-rank apply to the base (docs/DESIGN.md section 3), plus a residual where that is
 * not the target. Any scale is already folded into B. Version 2 (what encoders write): for each element
 * {@code d = 0; for k in 0..r-1: d = d + (B[i][k] * A[k][j]); acc = f32(W[i][j]) + d}, the product first, as peft's
 * merge computes it, which matches a GPU merge about twice as often as version 1:
 * {@code acc = f32(W[i][j]); for k in 0..r-1: acc = acc + (B[i][k] * A[k][j])}. Every operation is rounded to
 * float32, then the result to the dtype.
 */
public final class LowRankEncoding {
    private LowRankEncoding() {
    }

    public static boolean supports(DType dtype) {
        return FloatElements.of(dtype).isPresent();
    }

    /** The shared section: factor A, r x n, row-major float32. */
    public static Section factorA(float[] a) {
        return new Section(SectionTag.FACTOR_A, floats(a));
    }

    /**
     * Encodes one chunk, for the current version: its rows of factor B (rows x r, row-major) and the residual.
     *
     * @param bRows the chunk's rows of B
     */
    public static List<Section> encode(byte[] target, byte[] base, DType dtype, float[] bRows, float[] a, int rank,
            int columns) {
        byte[] canonical = canonicalApply(bRows, a, rank, columns, base, dtype);
        List<Section> sections = new ArrayList<>(List.of(new Section(SectionTag.FACTOR_B, floats(bRows))));
        Residual.section(target, canonical, dtype.byteSize()).ifPresent(sections::add);
        return sections;
    }

    /**
     * The canonical apply (docs/DESIGN.md §3), current version, of the factors to rows of a base: what a low-rank
     * encoding of these factors with no residual decodes to.
     *
     * @param bRows the rows' part of factor B (rows x r, row-major, scale folded in)
     * @param a factor A (r x columns, row-major)
     * @param base the rows of the base tensor, in {@code dtype}
     */
    public static byte[] canonicalApply(float[] bRows, float[] a, int rank, int columns, byte[] base, DType dtype) {
        byte[] out = new byte[base.length];
        apply(EncodingHeader.versionFor(EncodingKind.LOW_RANK), bRows, rowsOf(a, rank, columns), rank,
                bRows.length / rank, columns, base, dtype, out);
        return out;
    }

    /** Factor A of a decoded encoding, as rows of floats ({@link #rowsOf}), once its size is checked. */
    static float[][] factorA(byte[] aData, int rank, int columns) throws InvalidEncodingException {
        if (aData.length != (long) rank * columns * 4) {
            throw new InvalidEncodingException("factor A holds " + aData.length + " bytes, a " + rank + " x "
                    + columns + " float32 matrix needs " + (long) rank * columns * 4);
        }
        return rowsOf(toFloats(aData), rank, columns);
    }

    /**
     * A row-major matrix as an array per row: the apply's inner loop then indexes A's row and the sums alike, from
     * 0, which the JIT (C2, JDK 17) vectorizes; at an offset into one flat array it did not, and ran 4x slower.
     */
    static float[][] rowsOf(float[] matrix, int rows, int columns) {
        float[][] out = new float[rows][];
        for (int k = 0; k < rows; k++) {
            out[k] = Arrays.copyOfRange(matrix, k * columns, (k + 1) * columns);
        }
        return out;
    }

    /** Decodes one chunk: applies the factors to the base chunk in place, and returns it. */
    static byte[] apply(int version, byte[] bRowsData, float[][] a, int rank, int rows, int columns, byte[] base,
            DType dtype) throws InvalidEncodingException {
        if (bRowsData.length != (long) rows * rank * 4) {
            throw new InvalidEncodingException("factor B holds " + bRowsData.length + " bytes for " + rows
                    + " rows of rank " + rank + ", which need " + (long) rows * rank * 4);
        }
        apply(version, toFloats(bRowsData), a, rank, rows, columns, base, dtype, base);
        return base;
    }

    /**
     * The canonical apply of a version into {@code out}, which may be {@code base} itself (each row of the base is
     * read before its row of the result is written). The loop order keeps each element's additions in k order and
     * each operation as the format states it: {@code d = 0}, {@code d = d + (B[i][k] * A[k][j])} (version 2) or
     * {@code acc = acc + ...} from {@code f32(W)} (version 1), separate float multiplies and adds (Java never fuses
     * them); vectorizing the loop over j changes no element's operations. Memory: two rows of floats.
     */
    static void apply(int version, float[] b, float[][] a, int rank, int rows, int columns, byte[] base, DType dtype,
            byte[] out) {
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        boolean productFirst = version >= EncodingHeader.VERSION_2;
        float[] w = new float[columns];
        float[] acc = new float[columns];
        for (int i = 0; i < rows; i++) {
            int rowStart = i * columns;
            f.toFloats(base, rowStart, w, columns);
            if (productFirst) {
                Arrays.fill(acc, 0f);
            } else {
                System.arraycopy(w, 0, acc, 0, columns);
            }
            int k = 0;
            // Four ranks a pass, then two, then one: the same operations on each element in the same order, with a
            // load and store of acc per pass rather than per rank (the loop is bound by memory, not arithmetic).
            for (; k + 3 < rank; k += 4) {
                float bik = b[i * rank + k];
                float bik1 = b[i * rank + k + 1];
                float bik2 = b[i * rank + k + 2];
                float bik3 = b[i * rank + k + 3];
                float[] aRow = a[k];
                float[] aRow1 = a[k + 1];
                float[] aRow2 = a[k + 2];
                float[] aRow3 = a[k + 3];
                for (int j = 0; j < columns; j++) {
                    float product = bik * aRow[j];
                    float product1 = bik1 * aRow1[j];
                    float product2 = bik2 * aRow2[j];
                    float product3 = bik3 * aRow3[j];
                    acc[j] = (((acc[j] + product) + product1) + product2) + product3;
                }
            }
            for (; k + 1 < rank; k += 2) {
                float bik = b[i * rank + k];
                float bik1 = b[i * rank + k + 1];
                float[] aRow = a[k];
                float[] aRow1 = a[k + 1];
                for (int j = 0; j < columns; j++) {
                    float product = bik * aRow[j];
                    float product1 = bik1 * aRow1[j];
                    acc[j] = (acc[j] + product) + product1;
                }
            }
            for (; k < rank; k++) {
                float bik = b[i * rank + k];
                float[] aRow = a[k];
                for (int j = 0; j < columns; j++) {
                    float product = bik * aRow[j];
                    acc[j] = acc[j] + product;
                }
            }
            if (productFirst) {
                for (int j = 0; j < columns; j++) {
                    acc[j] = w[j] + acc[j];
                }
            }
            f.fromFloats(acc, out, rowStart, columns);
        }
    }

    static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** The floats' bits as they are (a bulk copy: no NaN is made canonical here). */
    static float[] toFloats(byte[] data) {
        float[] out = new float[data.length / 4];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
