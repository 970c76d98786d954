package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the encoder reads what it encodes: a tensor one chunk holds is read once, however many candidates and
 * detector passes look at it (a stored base is decoded on every read), and a difference that is not finite is
 * encoded exactly by a kind that does not need low rank.
 */
class EncoderReadsTest {
    private static final int ROWS = 160;
    private static final int COLS = 480;
    private static final Shape SHAPE = Shape.of(ROWS, COLS);
    private static final DType F32 = DType.F32;

    private final SplittableRandom random = new SplittableRandom(5);

    @Test
    void aTensorOneChunkHoldsIsReadOnceWhileEveryCandidateIsTried() throws IOException {
        byte[] base = weights();
        byte[] target = lowRankUpdate(base, 8);
        Counted t = new Counted(target);
        Counted b = new Counted(base);
        Encoder encoder = new Encoder(EncoderOptions.defaults(), LowRankDetector.available());
        try (Encoder.Result r = encoder.encode(t.input(), TensorId.of(F32, SHAPE, target),
                Optional.of(new Encoder.Base(b.input(), TensorId.of(F32, SHAPE, base))), Optional.empty())) {
            assertEquals(EncodingKind.LOW_RANK, r.kind(), r.candidates().toString());
            assertArrayEquals(target, decode(r, base));
        }
        assertEquals(1, t.opens.get(), "opens of the target");
        assertEquals(1, b.opens.get(), "opens of the base");
    }

    @Test
    void aTensorLargerThanAChunkIsStreamedAndEncodedAlike() throws IOException {
        byte[] base = weights();
        byte[] target = lowRankUpdate(base, 8);
        // Chunks of 40 rows: the encoder streams the tensors, and the detector reads D a chunk at a time per pass.
        EncoderOptions small = EncoderOptions.defaults().withChunkBytes(40L * COLS * 4);
        Encoder encoder = new Encoder(small, LowRankDetector.available());
        Counted t = new Counted(target);
        try (Encoder.Result r = encoder.encode(t.input(), TensorId.of(F32, SHAPE, target),
                Optional.of(new Encoder.Base(new Counted(base).input(), TensorId.of(F32, SHAPE, base))),
                Optional.empty())) {
            assertEquals(EncodingKind.LOW_RANK, r.kind(), r.candidates().toString());
            assertArrayEquals(target, decode(r, base));
        }
        assertNotEquals(1, t.opens.get(), "a tensor larger than a chunk is not held");
    }

    @Test
    void anUpdateHoldingNaNOrInfinityIsEncodedExactlyWithoutLowRank() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.intBitsToFloat(0xff800001)}) {
            byte[] base = weights();
            byte[] target = lowRankUpdate(base, 4);
            Elements.set(target, 1234, 4, Float.floatToRawIntBits(bad) & 0xffffffffL);
            Encoder encoder = new Encoder(EncoderOptions.defaults(), LowRankDetector.available());
            try (Encoder.Result r = encoder.encode(TensorInput.of(F32, SHAPE, target),
                    TensorId.of(F32, SHAPE, target), Optional.of(new Encoder.Base(TensorInput.of(F32, SHAPE, base),
                            TensorId.of(F32, SHAPE, base))), Optional.empty())) {
                assertEquals(Optional.empty(), r.candidates().stream()
                        .filter(c -> c.kind() == EncodingKind.LOW_RANK).findAny(), "no low rank with " + bad);
                assertArrayEquals(target, decode(r, base), "bit for bit with " + bad);
            }
        }
    }

    /** A tensor whose bytes come from a stream, counting how often it is opened. */
    private static final class Counted {
        final byte[] bytes;
        final AtomicInteger opens = new AtomicInteger();

        Counted(byte[] bytes) {
            this.bytes = bytes;
        }

        TensorInput input() {
            return new TensorInput.Of(F32, SHAPE, () -> {
                opens.incrementAndGet();
                return new ByteArrayInputStream(bytes);
            });
        }
    }

    private static byte[] decode(Encoder.Result r, byte[] base) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = r.encoding().open()) {
            new TensorDecoder(DecodeLimits.defaults()).decode(in,
                    id -> Optional.of(new BaseTensor(F32, SHAPE, new ByteArrayInputStream(base))), out);
        }
        return out.toByteArray();
    }

    private byte[] weights() {
        byte[] out = new byte[ROWS * COLS * 4];
        for (int i = 0; i < ROWS * COLS; i++) {
            Elements.set(out, i, 4, Float.floatToRawIntBits((float) (random.nextGaussian() * 0.05)) & 0xffffffffL);
        }
        return out;
    }

    /** base + B A in float32, as a merge would compute it (the residual covers any difference from the apply). */
    private byte[] lowRankUpdate(byte[] base, int rank) {
        double[][] b = new double[ROWS][rank];
        double[][] a = new double[rank][COLS];
        for (double[] row : b) {
            for (int k = 0; k < rank; k++) {
                row[k] = random.nextGaussian() * 0.02;
            }
        }
        for (double[] row : a) {
            for (int j = 0; j < COLS; j++) {
                row[j] = random.nextGaussian() * 0.02;
            }
        }
        byte[] out = new byte[base.length];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                double d = 0;
                for (int k = 0; k < rank; k++) {
                    d += b[i][k] * a[k][j];
                }
                float w = Float.intBitsToFloat((int) Elements.get(base, i * COLS + j, 4));
                Elements.set(out, i * COLS + j, 4, Float.floatToRawIntBits((float) (w + d)) & 0xffffffffL);
            }
        }
        return out;
    }
}
