package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Without hints, the encoder recognizes each kind of update and picks the encoding made for it. */
class EncoderChoiceTest {
    private static final int ROWS = 256;
    private static final int COLS = 192;
    private static final Shape SHAPE = Shape.of(ROWS, COLS);

    private final SplittableRandom random = new SplittableRandom(11);
    private final Encoder encoder = new Encoder(EncoderOptions.defaults(), LowRankDetector.available());

    private byte[] weights(DType dtype) {
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        byte[] out = new byte[ROWS * COLS * dtype.byteSize()];
        for (int i = 0; i < ROWS * COLS; i++) {
            Elements.set(out, i, dtype.byteSize(), f.fromFloat((float) (random.nextGaussian() * 0.05)));
        }
        return out;
    }

    private Encoder.Result choose(DType dtype, byte[] base, byte[] target, Optional<LowRankFactors> hint)
            throws IOException {
        TensorInput t = TensorInput.of(dtype, SHAPE, target);
        TensorInput b = TensorInput.of(dtype, SHAPE, base);
        return encoder.encode(t, TensorId.of(dtype, SHAPE, target),
                Optional.of(new Encoder.Base(b, TensorId.of(dtype, SHAPE, base))), hint);
    }

    private static long size(Encoder.Result r, EncodingKind kind) {
        return r.candidates().stream().filter(c -> c.kind() == kind).mapToLong(Encoder.Candidate::bytes).min()
                .orElse(Long.MAX_VALUE);
    }

    @Test
    void aFewChangedElementsAreSentSparse() throws IOException {
        byte[] base = weights(DType.F32);
        byte[] target = base.clone();
        for (int k = 0; k < 200; k++) {
            Elements.set(target, random.nextInt(ROWS * COLS), 4, random.nextInt() & 0xffffffffL);
        }
        try (Encoder.Result r = choose(DType.F32, base, target, Optional.empty())) {
            assertEquals(EncodingKind.SPARSE, r.kind(), r.candidates().toString());
            assertTrue(r.encoding().size() < size(r, EncodingKind.XOR), r.candidates().toString());
        }
    }

    @Test
    void oneMagnitudeUpAndDownIsSentSparseTernary() throws IOException {
        DType dtype = DType.BF16;
        FloatElements f = FloatElements.of(dtype).orElseThrow();
        byte[] base = weights(dtype);
        byte[] target = base.clone();
        float mu = 0.01f;
        for (int i = 0; i < ROWS * COLS; i++) {
            if (random.nextInt(5) == 0) {
                float w = f.toFloat(Elements.get(base, i, 2));
                Elements.set(target, i, 2, f.fromFloat(w + (random.nextBoolean() ? mu : -mu)));
            }
        }
        try (Encoder.Result r = choose(dtype, base, target, Optional.empty())) {
            assertEquals(EncodingKind.SPARSE_TERNARY, r.kind(), r.candidates().toString());
        }
    }

    @Test
    void aLowRankUpdateIsFoundWithoutHints() throws IOException {
        byte[] base = weights(DType.F32);
        LowRankFactors update = randomFactors(4);
        byte[] target = canonical(base, update);
        try (Encoder.Result r = choose(DType.F32, base, target, Optional.empty())) {
            assertEquals(EncodingKind.LOW_RANK, r.kind(), r.candidates().toString());
            assertTrue(r.encoding().size() < size(r, EncodingKind.XOR) / 4, r.candidates().toString());
        }
    }

    @Test
    void aLowRankUpdateBeyondTheFirstSketchIsFoundByTheFullOne() throws IOException {
        byte[] base = weights(DType.F32);
        int rank = SvdLowRankDetector.FIRST_SKETCH_RANK * 2;
        assertTrue(rank <= Math.min(ROWS, COLS) / 4, "within the rank the detector looks for");
        byte[] target = canonical(base, randomFactors(rank));
        try (Encoder.Result r = choose(DType.F32, base, target, Optional.empty())) {
            assertEquals(EncodingKind.LOW_RANK, r.kind(), r.candidates().toString());
            assertTrue(r.encoding().size() < size(r, EncodingKind.XOR) / 2, r.candidates().toString());
        }
    }

    @Test
    void knownFactorsAreTriedAndWinWhenExact() throws IOException {
        byte[] base = weights(DType.F32);
        LowRankFactors update = randomFactors(8);
        byte[] target = canonical(base, update);
        try (Encoder.Result r = choose(DType.F32, base, target, Optional.of(update))) {
            assertEquals(EncodingKind.LOW_RANK, r.kind(), r.candidates().toString());
            // The factors, compressed, and no residual: about (rows + cols) * rank floats.
            assertTrue(r.encoding().size() < 4L * (ROWS + COLS) * 8 + 1024, r.encoding().size() + " bytes");
        }
    }

    @Test
    void anUnrelatedTensorIsSentDenseOrXor() throws IOException {
        byte[] base = weights(DType.F32);
        byte[] target = weights(DType.F32);
        try (Encoder.Result r = choose(DType.F32, base, target, Optional.empty())) {
            assertTrue(r.kind() == EncodingKind.DENSE || r.kind() == EncodingKind.XOR, r.candidates().toString());
            assertTrue(r.encoding().size() < (long) ROWS * COLS * 4, "compresses at all");
        }
    }

    private LowRankFactors randomFactors(int rank) {
        float[] b = new float[ROWS * rank];
        float[] a = new float[rank * COLS];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextGaussian() * 0.02);
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.02);
        }
        return new LowRankFactors(rank, ROWS, COLS, b, a);
    }

    /** The contract's apply, written out plainly: W + (the sum of B[i][k] * A[k][j] for k in order). */
    private static byte[] canonical(byte[] base, LowRankFactors f) {
        byte[] out = new byte[base.length];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                float d = 0f; // the canonical apply, format version 2: the products' sum, then the base
                for (int k = 0; k < f.rank(); k++) {
                    d = d + f.b()[i * f.rank() + k] * f.a()[k * COLS + j];
                }
                float acc = Float.intBitsToFloat((int) Elements.get(base, i * COLS + j, 4)) + d;
                Elements.set(out, i * COLS + j, 4, Float.floatToRawIntBits(acc) & 0xffffffffL);
            }
        }
        return out;
    }
}
