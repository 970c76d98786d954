package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.format.DecodeLimits;
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
import org.junit.jupiter.api.Test;

/** The encoder prices candidates on a sample of rows; what it writes never depends on the sample. */
class EncoderEstimateTest {
    private static final int ROWS = 1024;
    private static final int COLS = 64;
    private static final Shape SHAPE = Shape.of(ROWS, COLS);
    private static final DType DTYPE = DType.F32;

    private final SplittableRandom random = new SplittableRandom(5);
    private final EncoderOptions options = EncoderOptions.defaults();
    private final Encoder encoder = new Encoder(options, LowRankDetector.available());

    private byte[] weights() {
        byte[] out = new byte[ROWS * COLS * 4];
        for (int i = 0; i < ROWS * COLS; i++) {
            Elements.set(out, i, 4, Float.floatToRawIntBits((float) (random.nextGaussian() * 0.05)) & 0xffffffffL);
        }
        return out;
    }

    @Test
    void aChangeTheSampleMissesIsStillEncodedExactly() throws IOException {
        byte[] base = weights();
        byte[] target = base.clone();
        // Rows 40 to 99 lie between the sampled blocks (32 rows every 128: a 256 KiB tensor is sampled 64 KiB).
        for (int i = 40 * COLS; i < 100 * COLS; i++) {
            Elements.set(target, i, 4, random.nextInt() & 0xffffffffL);
        }
        TensorInput t = TensorInput.of(DTYPE, SHAPE, target);
        TensorInput b = TensorInput.of(DTYPE, SHAPE, base);
        assertEquals(0.0, RowSample.read(t, b, 32, Encoder.ESTIMATE_BLOCKS).changedFraction(DTYPE),
                "the sample sees no change");
        TensorId id = TensorId.of(DTYPE, SHAPE, target);
        try (Encoder.Result r = encoder.encode(t, id, Optional.of(new Encoder.Base(b, TensorId.of(DTYPE, SHAPE, base))),
                Optional.empty())) {
            assertArrayEquals(target, decode(r, base));
        }
    }

    @Test
    void theEstimateChoosesTheSmallestOnClearCases() throws IOException {
        byte[] base = weights();
        byte[] sparse = base.clone();
        for (int k = 0; k < 300; k++) {
            Elements.set(sparse, random.nextInt(ROWS * COLS), 4, random.nextInt() & 0xffffffffL);
        }
        byte[] nudged = base.clone();
        for (int i = 0; i < ROWS * COLS; i++) {
            Elements.set(nudged, i, 4, Elements.get(base, i, 4) ^ random.nextInt(16));
        }
        for (byte[] target : new byte[][] {sparse, nudged, weights()}) {
            TensorInput t = TensorInput.of(DTYPE, SHAPE, target);
            TensorInput b = TensorInput.of(DTYPE, SHAPE, base);
            TensorId id = TensorId.of(DTYPE, SHAPE, target);
            TensorId bid = TensorId.of(DTYPE, SHAPE, base);
            KindEncoders kinds = new KindEncoders(options);
            long smallest = Long.MAX_VALUE;
            for (KindEncoders.Plan plan : new KindEncoders.Plan[] {kinds.densePlan(t, id), kinds.xorPlan(t, id, bid),
                kinds.sparsePlan(t, id, bid)}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                kinds.write(plan, t, plan.kind().needsBase() ? b : null, out);
                smallest = Math.min(smallest, out.size());
            }
            try (Encoder.Result r = encoder.encode(t, id, Optional.of(new Encoder.Base(b, bid)), Optional.empty())) {
                assertTrue(r.encoding().size() <= smallest, r.encoding().size() + " bytes, " + smallest
                        + " possible: " + r.candidates());
                assertArrayEquals(target, decode(r, base));
            }
        }
    }

    /**
     * A small matrix's sample is a few rows in a few places; priced as one chunk, as its full encode is, each kind's
     * estimate comes near its true size, the residual's near-empty planes included (priced block by block, every
     * block paid a frame per plane, which overstated the most compressible kinds most).
     */
    @Test
    void aSmallMatrixsEstimatesComeNearTheFullSizes() throws IOException {
        Shape shape = Shape.of(160, 480);
        byte[] base = new byte[160 * 480 * 4];
        for (int i = 0; i < 160 * 480; i++) {
            Elements.set(base, i, 4, Float.floatToRawIntBits((float) (random.nextGaussian() * 0.05)) & 0xffffffffL);
        }
        float[] b = new float[160 * 4];
        float[] a = new float[4 * 480];
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) (random.nextGaussian() * 0.02);
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (random.nextGaussian() * 0.02);
        }
        LowRankFactors factors = new LowRankFactors(4, 160, 480, b, a);
        byte[] target = io.thetahost.codec.encodings.LowRankEncoding.canonicalApply(b, a, 4, 480, base, DTYPE);
        // A few elements off the canonical apply by one unit in the last place: a residual of near-empty planes.
        for (int k = 0; k < 100; k++) {
            int i = random.nextInt(160 * 480);
            Elements.set(target, i, 4, Elements.get(target, i, 4) + 1);
        }
        TensorInput t = TensorInput.of(DTYPE, shape, target);
        TensorInput bi = TensorInput.of(DTYPE, shape, base);
        TensorId id = TensorId.of(DTYPE, shape, target);
        TensorId bid = TensorId.of(DTYPE, shape, base);
        KindEncoders kinds = new KindEncoders(options);
        RowSample sample = RowSample.read(t, bi, 1, Encoder.ESTIMATE_BLOCKS);
        for (KindEncoders.Plan plan : new KindEncoders.Plan[] {kinds.densePlan(t, id), kinds.xorPlan(t, id, bid),
            kinds.lowRankPlan(t, id, bid, factors)}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            kinds.write(plan, t, plan.kind().needsBase() ? bi : null, out);
            long estimate = CandidateSize.estimate(plan, sample, t.byteSize(), options.zstdLevel());
            double ratio = (double) estimate / out.size();
            assertTrue(ratio > 0.8 && ratio < 1.25, plan.kind() + ": estimated " + estimate + ", wrote " + out.size());
        }
    }

    private static byte[] decode(Encoder.Result r, byte[] base) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = r.encoding().open()) {
            new TensorDecoder(DecodeLimits.defaults()).decode(in,
                    id -> Optional.of(new BaseTensor(DTYPE, SHAPE, new ByteArrayInputStream(base))), out);
        }
        return out.toByteArray();
    }
}
