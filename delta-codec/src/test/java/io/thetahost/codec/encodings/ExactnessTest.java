package io.thetahost.codec.encodings;

import static io.thetahost.codec.TensorPair.chunks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.TensorPair;
import io.thetahost.codec.TensorPair.Layout;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.format.SectionTag;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The canonical applies are what docs/DESIGN.md section 3 says, bit for bit. Targets are built here with an
 * independent, deliberately plain reference of each apply; the encoders must then find nothing left to correct (no
 * RESIDUAL section), and the decoder must reproduce the target. One ulp off, a residual appears and decoding stays
 * exact.
 */
class ExactnessTest {
    private static final long[] CHUNK_SIZES = {1, 7, 64, 1 << 20};

    // ---------------------------------------------------------------- references

    /**
     * The canonical low-rank apply as the design states it (format version 2): for each i, j: d = 0, then for k
     * ascending d = d + (B[i][k] * A[k][j]); acc = f32(W[i][j]) + d; each operation rounded to float32, then acc
     * rounded to the dtype.
     */
    static byte[] referenceLowRank(DType dtype, byte[] base, LowRankFactors f) {
        FloatElements el = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        byte[] out = new byte[base.length];
        for (int i = 0; i < f.rows(); i++) {
            for (int j = 0; j < f.columns(); j++) {
                int e = i * f.columns() + j;
                float d = 0f;
                for (int k = 0; k < f.rank(); k++) {
                    d = d + (f.b()[i * f.rank() + k] * f.a()[k * f.columns() + j]);
                }
                Elements.set(out, e, width, el.fromFloat(el.toFloat(Elements.get(base, e, width)) + d));
            }
        }
        return out;
    }

    /** The canonical sparse-ternary apply: out = round_dtype(f32(W) + mu * s) where s != 0, the base elsewhere. */
    static byte[] referenceTernary(DType dtype, byte[] base, int[] signs, float mu) {
        FloatElements el = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        byte[] out = base.clone();
        for (int e = 0; e < signs.length; e++) {
            if (signs[e] != 0) {
                Elements.set(out, e, width, el.fromFloat(el.toFloat(Elements.get(base, e, width)) + mu * signs[e]));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- low-rank

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16", "F64", "F8_E4M3", "F8_E5M2"})
    void lowRankTargetsThatAreTheCanonicalApplyNeedNoResidual(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() * 31L + 5);
        for (int c = 0; c < 40; c++) {
            int rows = 1 + r.nextInt(40);
            int cols = 1 + r.nextInt(40);
            LowRankFactors factors = randomFactors(r, 1 + r.nextInt(8), rows, cols);
            byte[] base = weights(r, dtype, (long) rows * cols);
            TensorPair pair = new TensorPair(dtype, Shape.of(rows, cols), referenceLowRank(dtype, base, factors),
                    base);
            EncoderOptions options = chunks(CHUNK_SIZES[r.nextInt(CHUNK_SIZES.length)]);
            String what = dtype + " " + pair.shape() + " rank " + factors.rank() + " case " + c;

            byte[] encoding = pair.lowRank(options, factors);
            Layout layout = Layout.of(encoding);
            assertEquals(EncodingKind.LOW_RANK, layout.header().kind());
            assertEquals(Set.of(SectionTag.FACTOR_A), layout.shared(), what);
            for (Set<SectionTag> chunk : layout.chunks()) {
                assertEquals(Set.of(SectionTag.FACTOR_B), chunk, what);
            }
            assertArrayEquals(pair.target(), pair.decode(encoding), what);

            int element = r.nextInt(rows * cols);
            TensorPair offByOne = pair.withTarget(oneUlpUp(dtype, pair.target(), element));
            byte[] corrected = offByOne.lowRank(options, factors);
            Layout correctedLayout = Layout.of(corrected);
            long chunk = (element / cols) / correctedLayout.header().rowsPerChunk();
            assertEquals(List.of((int) chunk), correctedLayout.chunksWithResidual(), what);
            assertArrayEquals(offByOne.target(), offByOne.decode(corrected), what);
        }
    }

    /**
     * Rows wide enough that the decoder's row loops run long (and get compiled, vectorized), with the values that
     * take the edge paths of the rounding: NaNs with payloads, infinities, subnormals, signed zeros, and factors large
     * enough to overflow. The reference is the plain per-element loop above.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void lowRankMatchesTheReferenceOnWideRowsAndSpecialValues(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() * 7L + 3);
        FloatElements el = FloatElements.of(dtype).orElseThrow();
        float[] special = {Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc12345),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 0f, -0f, 1e-40f,
            Float.MAX_VALUE};
        for (int c = 0; c < 6; c++) {
            int rows = 1 + r.nextInt(24);
            int cols = 500 + r.nextInt(700);
            LowRankFactors factors = randomFactors(r, 1 + r.nextInt(12), rows, cols);
            byte[] base = weights(r, dtype, (long) rows * cols);
            int width = dtype.byteSize();
            for (int s = 0; s < 64; s++) {
                Elements.set(base, r.nextInt(rows * cols), width, el.fromFloat(special[r.nextInt(special.length)]));
                factors.a()[r.nextInt(factors.a().length)] = special[r.nextInt(special.length)];
            }
            factors.b()[r.nextInt(factors.b().length)] = 1e30f;
            TensorPair pair = new TensorPair(dtype, Shape.of(rows, cols), referenceLowRank(dtype, base, factors),
                    base);
            String what = dtype + " " + pair.shape() + " rank " + factors.rank() + " case " + c;
            byte[] encoding = pair.lowRank(chunks(CHUNK_SIZES[r.nextInt(CHUNK_SIZES.length)]), factors);
            assertEquals(List.of(), Layout.of(encoding).chunksWithResidual(), what);
            assertArrayEquals(pair.target(), pair.decode(encoding), what);
        }
    }

    @Test
    void lowRankAddsEachRoundedProductAndNeverFusesMultiplyAdd() throws IOException {
        SplittableRandom r = new SplittableRandom(2024);
        int found = 0;
        for (int tries = 0; found < 25 && tries < 1_000_000; tries++) {
            float w = (float) r.nextGaussian();
            float b = (float) r.nextGaussian();
            float a = (float) r.nextGaussian();
            float unfused = w + b * a;
            float fused = Math.fma(b, a, w);
            if (Float.floatToRawIntBits(unfused) == Float.floatToRawIntBits(fused)) {
                continue;
            }
            found++;
            LowRankFactors factors = new LowRankFactors(1, 1, 1, new float[] {b}, new float[] {a});
            TensorPair pair = new TensorPair(DType.F32, Shape.of(1, 1), f32(unfused), f32(w));
            byte[] encoding = pair.lowRank(chunks(1 << 20), factors);
            String what = w + " + " + b + " * " + a;
            assertEquals(List.of(), Layout.of(encoding).chunksWithResidual(), what + ": the unfused sum is canonical");
            assertArrayEquals(f32(unfused), pair.decode(encoding), what);

            TensorPair gpu = pair.withTarget(f32(fused));
            byte[] withResidual = gpu.lowRank(chunks(1 << 20), factors);
            assertEquals(List.of(0), Layout.of(withResidual).chunksWithResidual(), what + ": fused is not canonical");
            assertArrayEquals(f32(fused), gpu.decode(withResidual), what);
        }
        assertEquals(25, found, "float triples where fma differs from multiply-then-add");
    }

    @Test
    void lowRankSumsTheProductsInRankOrderThenAddsTheSumToTheBase() throws IOException {
        SplittableRandom r = new SplittableRandom(77);
        int found = 0;
        for (int tries = 0; found < 25 && tries < 1_000_000; tries++) {
            float w = (float) r.nextGaussian();
            float[] b = {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
            float[] a = {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
            float[] p = {b[0] * a[0], b[1] * a[1], b[2] * a[2]};
            float productsFirst = w + ((p[0] + p[1]) + p[2]);
            float oneAtATime = ((w + p[0]) + p[1]) + p[2]; // format version 1
            float reversed = w + ((p[2] + p[1]) + p[0]);
            if (Float.compare(productsFirst, oneAtATime) == 0 || Float.compare(productsFirst, reversed) == 0) {
                continue;
            }
            found++;
            LowRankFactors factors = new LowRankFactors(3, 1, 1, b, a);
            TensorPair pair = new TensorPair(DType.F32, Shape.of(1, 1), f32(productsFirst), f32(w));
            byte[] encoding = pair.lowRank(chunks(64), factors);
            assertEquals(List.of(), Layout.of(encoding).chunksWithResidual(), "w=" + w);
            assertArrayEquals(f32(productsFirst), pair.decode(encoding));

            // An encoding written as version 1 still decodes by version 1's rule: each product added to the base.
            TensorPair old = pair.withTarget(f32(oneAtATime));
            assertArrayEquals(f32(oneAtATime), old.decode(old.lowRankVersion1(factors)), "w=" + w);
        }
        assertEquals(25, found);
    }

    // ---------------------------------------------------------------- sparse-ternary

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16", "F64", "F8_E4M3", "F8_E5M2"})
    void sparseTernaryTargetsThatAreTheCanonicalApplyNeedNoResidual(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() * 37L + 3);
        for (int c = 0; c < 40; c++) {
            Shape shape = r.nextBoolean() ? Shape.of(1 + r.nextInt(30), 1 + r.nextInt(30))
                    : Shape.of(1 + r.nextInt(300));
            int n = (int) shape.elements();
            byte[] base = weights(r, dtype, n);
            float mu = (float) Math.abs(r.nextGaussian() * 0.01) + 1e-4f;
            int[] signs = randomSigns(r, n, r.nextDouble());
            TensorPair pair = new TensorPair(dtype, shape, referenceTernary(dtype, base, signs, mu), base);
            EncoderOptions options = chunks(CHUNK_SIZES[r.nextInt(CHUNK_SIZES.length)]);
            String what = dtype + " " + shape + " mu " + mu + " case " + c;

            byte[] encoding = pair.sparseTernary(options, mu);
            Layout layout = Layout.of(encoding);
            assertEquals(Set.of(), layout.shared(), what);
            for (Set<SectionTag> chunk : layout.chunks()) {
                assertEquals(EnumSet.of(SectionTag.POSITIONS, SectionTag.SIGNS), chunk, what);
            }
            assertArrayEquals(pair.target(), pair.decode(encoding), what);

            int element = notTernaryAfterOneUlp(dtype, pair, mu, r.nextInt(n));
            TensorPair offByOne = pair.withTarget(oneUlpUp(dtype, pair.target(), element));
            byte[] corrected = offByOne.sparseTernary(options, mu);
            Layout correctedLayout = Layout.of(corrected);
            long chunk = (element / shape.rowElements()) / correctedLayout.header().rowsPerChunk();
            assertEquals(List.of((int) chunk), correctedLayout.chunksWithResidual(), what);
            assertArrayEquals(offByOne.target(), offByOne.decode(corrected), what);
        }
    }

    // ---------------------------------------------------------------- chunking

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void chunkingDoesNotChangeWhatDecodesNorWhetherTheApplyIsExact(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() + 1000);
        int rows = 40;
        int cols = 3;
        Shape shape = Shape.of(rows, cols);
        byte[] base = weights(r, dtype, rows * cols);
        LowRankFactors factors = randomFactors(r, 2, rows, cols);
        float mu = 0.004f;
        TensorPair lowRank = new TensorPair(dtype, shape, referenceLowRank(dtype, base, factors), base);
        TensorPair ternary = new TensorPair(dtype, shape,
                referenceTernary(dtype, base, randomSigns(r, rows * cols, 0.3), mu), base);
        TensorPair arbitrary = new TensorPair(dtype, shape, weights(r, dtype, rows * cols), base);
        int element = notTernaryAfterOneUlp(dtype, ternary, mu, 77);
        TensorPair lowRankOff = lowRank.withTarget(oneUlpUp(dtype, lowRank.target(), element));
        TensorPair ternaryOff = ternary.withTarget(oneUlpUp(dtype, ternary.target(), element));

        Set<Long> rowsPerChunk = new TreeSet<>();
        for (long size : CHUNK_SIZES) {
            EncoderOptions o = chunks(size);
            String what = dtype + " in chunks of " + size + " bytes";
            List<byte[]> encodings = new ArrayList<>(List.of(arbitrary.dense(o), arbitrary.xor(o),
                    arbitrary.sparse(o), arbitrary.sparseTernary(o, mu)));
            for (byte[] e : encodings) {
                assertArrayEquals(arbitrary.target(), arbitrary.decode(e), what);
            }
            byte[] lr = lowRank.lowRank(o, factors);
            byte[] st = ternary.sparseTernary(o, mu);
            assertEquals(List.of(), Layout.of(lr).chunksWithResidual(), what);
            assertEquals(List.of(), Layout.of(st).chunksWithResidual(), what);
            assertArrayEquals(lowRank.target(), lowRank.decode(lr), what);
            assertArrayEquals(ternary.target(), ternary.decode(st), what);

            Layout lrOff = Layout.of(lowRankOff.lowRank(o, factors));
            Layout stOff = Layout.of(ternaryOff.sparseTernary(o, mu));
            // Low-rank chunks may hold fewer rows than the others: each row also carries its row of factor B.
            int row = element / cols;
            assertEquals(List.of((int) (row / lrOff.header().rowsPerChunk())), lrOff.chunksWithResidual(), what);
            assertEquals(List.of((int) (row / stOff.header().rowsPerChunk())), stOff.chunksWithResidual(), what);
            assertArrayEquals(lowRankOff.target(), lowRankOff.decode(lowRankOff.lowRank(o, factors)), what);
            assertArrayEquals(ternaryOff.target(), ternaryOff.decode(ternaryOff.sparseTernary(o, mu)), what);
            rowsPerChunk.add(lrOff.header().rowsPerChunk());
        }
        assertTrue(rowsPerChunk.size() >= 3, "the chunk sizes cut the tensor differently: " + rowsPerChunk);
        assertTrue(rowsPerChunk.contains(1L) && rowsPerChunk.contains((long) rows), rowsPerChunk.toString());
    }

    @Test
    void theReferencesAreNotTrivial() {
        // Guards the tests above: the canonical targets really differ from their bases.
        SplittableRandom r = new SplittableRandom(1);
        byte[] base = weights(r, DType.BF16, 400);
        LowRankFactors factors = randomFactors(r, 4, 20, 20);
        assertFalse(java.util.Arrays.equals(base, referenceLowRank(DType.BF16, base, factors)));
        assertNotEquals(0, countDifferent(DType.BF16, base,
                referenceTernary(DType.BF16, base, randomSigns(r, 400, 0.5), 0.01f)));
    }

    // ---------------------------------------------------------------- helpers

    /** Ordinary weights: N(0, 0.05) rounded to the dtype. */
    static byte[] weights(SplittableRandom r, DType dtype, long n) {
        FloatElements el = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        byte[] out = new byte[Math.toIntExact(n * width)];
        for (int e = 0; e < n; e++) {
            Elements.set(out, e, width, el.fromFloat((float) (r.nextGaussian() * 0.05)));
        }
        return out;
    }

    /** Factors of a LoRA-like update, its scale folded into B. */
    static LowRankFactors randomFactors(SplittableRandom r, int rank, int rows, int cols) {
        float[] b = new float[rows * rank];
        float[] a = new float[rank * cols];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (r.nextGaussian() * 0.1);
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * 0.1);
        }
        return new LowRankFactors(rank, rows, cols, b, a);
    }

    /** For each element -1, 0 or +1; a fraction of them nonzero. */
    static int[] randomSigns(SplittableRandom r, int n, double fraction) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = r.nextDouble() < fraction ? (r.nextBoolean() ? 1 : -1) : 0;
        }
        return s;
    }

    /** The tensor with one element's bits plus one: the next value away from zero, one unit in the last place. */
    static byte[] oneUlpUp(DType dtype, byte[] tensor, int element) {
        byte[] out = tensor.clone();
        int width = dtype.byteSize();
        Elements.set(out, element, width, Elements.get(out, element, width) + 1);
        return out;
    }

    /**
     * An element, from {@code start} on, whose value one ulp up is not what the ternary apply could give there (the
     * base, or base plus or minus mu, rounded): a change no choice of sign explains, so it needs a residual.
     */
    static int notTernaryAfterOneUlp(DType dtype, TensorPair pair, float mu, int start) {
        FloatElements el = FloatElements.of(dtype).orElseThrow();
        int width = dtype.byteSize();
        int n = pair.target().length / width;
        for (int i = 0; i < n; i++) {
            int e = (start + i) % n;
            long moved = Elements.get(oneUlpUp(dtype, pair.target(), e), e, width);
            long w = Elements.get(pair.base(), e, width);
            float wf = el.toFloat(w);
            if (moved != w && moved != el.fromFloat(wf + mu) && moved != el.fromFloat(wf - mu)) {
                return e;
            }
        }
        throw new AssertionError("every element is one ulp from a ternary outcome");
    }

    static int countDifferent(DType dtype, byte[] x, byte[] y) {
        int width = dtype.byteSize();
        int n = 0;
        for (int e = 0; e < x.length / width; e++) {
            if (Elements.get(x, e, width) != Elements.get(y, e, width)) {
                n++;
            }
        }
        return n;
    }

    private static byte[] f32(float v) {
        byte[] out = new byte[4];
        Elements.set(out, 0, 4, Float.floatToRawIntBits(v) & 0xffffffffL);
        return out;
    }
}
