package io.thetahost.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.codec.decode.BaseLookup;
import io.thetahost.codec.decode.BaseTensor;
import io.thetahost.codec.decode.TensorDecoder;
import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.LowRankFactors;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.encodings.LowRankEncoding;
import io.thetahost.codec.encodings.SparseTernaryEncoding;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.EncodingKind;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * decode(encode(target, base)) == target, bit for bit, for every encoding that applies to the dtype, over random
 * tensors of every dtype and shape, full of NaNs, infinities, signed zeros and subnormals, with chunks both large and
 * tiny (so tensors cross many chunk boundaries).
 */
class RoundTripPropertyTest {
    private static final int CASES_PER_DTYPE = 60;

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyEncodingIsLosslessOnRandomTensors(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() * 7919L + 17);
        for (int c = 0; c < CASES_PER_DTYPE; c++) {
            Shape shape = RandomTensors.randomShape(r, dtype);
            byte[] target = RandomTensors.randomValues(r, dtype, shape);
            byte[] base = RandomTensors.perturb(r, dtype, target, r.nextDouble());
            long chunkBytes = r.nextBoolean() ? 1 << 20 : 1 + r.nextInt(64);
            for (EncodingKind kind : applicable(dtype, shape)) {
                byte[] decoded = roundTrip(kind, dtype, shape, target, base, chunkBytes, r);
                assertArrayEquals(target, decoded, kind + " of " + dtype + " " + shape + " case " + c);
            }
        }
    }

    /** Shapes at the edges: scalars, empty tensors (low-rank of empty matrices too), single rows and columns. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void edgeShapesAreLosslessInEveryEncoding(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() + 555);
        long[][] shapes = {{}, {0}, {0, 0}, {0, 5}, {5, 0}, {3, 0, 2}, {1, 1}, {1, 40}, {40, 1}, {2}, {16}};
        for (long[] dims : shapes) {
            Shape shape = Shape.of(dims);
            if ((shape.elements() * dtype.bits()) % 8 != 0) {
                continue;
            }
            byte[] target = RandomTensors.randomValues(r, dtype, shape);
            byte[] base = RandomTensors.perturb(r, dtype, target, 0.5);
            List<EncodingKind> kinds = applicable(dtype, shape);
            if (LowRankEncoding.supports(dtype) && shape.rank() == 2 && !kinds.contains(EncodingKind.LOW_RANK)) {
                kinds.add(EncodingKind.LOW_RANK);
            }
            for (long chunkBytes : new long[] {1, 3, 1 << 20}) {
                for (EncodingKind kind : kinds) {
                    byte[] decoded = roundTrip(kind, dtype, shape, target, base, chunkBytes, r);
                    assertArrayEquals(target, decoded, kind + " of " + dtype + " " + shape + " in chunks of "
                            + chunkBytes);
                }
            }
        }
    }

    /**
     * Packed dtypes whose rows are not whole bytes (F4 rows of 4, 12 or 20 bits; F6 rows of 6, 18 or 30 bits), in
     * chunks so small that the encoder must group rows to keep chunk boundaries on whole bytes.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F4", "F6_E2M3", "F6_E3M2"})
    void packedRowsOfOddBitSizesInTinyChunks(DType dtype) throws IOException {
        SplittableRandom r = new SplittableRandom(dtype.ordinal() + 777);
        long[][] shapes = dtype == DType.F4
                ? new long[][] {{2, 1}, {10, 1}, {6, 3}, {2, 5}, {4, 5, 1}}
                : new long[][] {{4, 1}, {12, 1}, {4, 3}, {8, 5}, {4, 1, 5}};
        for (long[] dims : shapes) {
            Shape shape = Shape.of(dims);
            byte[] target = RandomTensors.randomValues(r, dtype, shape);
            byte[] base = RandomTensors.perturb(r, dtype, target, 0.3);
            for (long chunkBytes : new long[] {1, 2, 3, 1 << 20}) {
                for (EncodingKind kind : applicable(dtype, shape)) {
                    byte[] decoded = roundTrip(kind, dtype, shape, target, base, chunkBytes, r);
                    assertArrayEquals(target, decoded, kind + " of " + dtype + " " + shape + " in chunks of "
                            + chunkBytes);
                }
            }
            // With 1-byte chunks, each chunk is the fewest rows that make whole bytes.
            long rowBits = shape.rowElements() * dtype.bits();
            long fewest = 1;
            while ((fewest * rowBits) % 8 != 0) {
                fewest++;
            }
            TensorPair pair = new TensorPair(dtype, shape, target, base);
            long rowsPerChunk = TensorPair.Layout.of(pair.dense(TensorPair.chunks(1))).header().rowsPerChunk();
            assertEquals(Math.min(fewest, shape.rows()), rowsPerChunk, dtype + " " + shape);
        }
    }

    static List<EncodingKind> applicable(DType dtype, Shape shape) {
        List<EncodingKind> kinds = new ArrayList<>(List.of(EncodingKind.DENSE, EncodingKind.XOR,
                EncodingKind.SPARSE));
        if (SparseTernaryEncoding.supports(dtype)) {
            kinds.add(EncodingKind.SPARSE_TERNARY);
        }
        if (LowRankEncoding.supports(dtype) && shape.rank() == 2 && shape.elements() > 0) {
            kinds.add(EncodingKind.LOW_RANK);
        }
        return kinds;
    }

    static byte[] roundTrip(EncodingKind kind, DType dtype, Shape shape, byte[] target, byte[] base, long chunkBytes,
            SplittableRandom r) throws IOException {
        TensorInput t = TensorInput.of(dtype, shape, target);
        TensorInput b = TensorInput.of(dtype, shape, base);
        TensorId tid = TensorId.of(dtype, shape, target);
        TensorId bid = TensorId.of(dtype, shape, base);
        KindEncoders enc = new KindEncoders(EncoderOptions.defaults().withChunkBytes(chunkBytes));
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        switch (kind) {
            case DENSE:
                enc.dense(t, tid, encoded);
                break;
            case XOR:
                enc.xor(t, tid, b, bid, encoded);
                break;
            case SPARSE:
                enc.sparse(t, tid, b, bid, encoded);
                break;
            case SPARSE_TERNARY:
                enc.sparseTernary(t, tid, b, bid, (float) Math.abs(r.nextGaussian() * 0.01), encoded);
                break;
            case LOW_RANK:
                int rows = (int) shape.dim(0);
                int cols = (int) shape.dim(1);
                int rank = 1 + r.nextInt(4);
                float[] fb = new float[rows * rank];
                float[] fa = new float[rank * cols];
                for (int i = 0; i < fb.length; i++) {
                    fb[i] = (float) (r.nextGaussian() * 0.1);
                }
                for (int i = 0; i < fa.length; i++) {
                    fa[i] = (float) (r.nextGaussian() * 0.1);
                }
                enc.lowRank(t, tid, b, bid, new LowRankFactors(rank, rows, cols, fb, fa), encoded);
                break;
            default:
                throw new AssertionError(kind);
        }
        BaseLookup bases = id -> id.equals(bid)
                ? Optional.of(new BaseTensor(dtype, shape, new ByteArrayInputStream(base)))
                : Optional.empty();
        ByteArrayOutputStream decoded = new ByteArrayOutputStream();
        TensorId got = new TensorDecoder(DecodeLimits.defaults())
                .decode(new ByteArrayInputStream(encoded.toByteArray()), bases, decoded);
        assertEquals(tid, got);
        return decoded.toByteArray();
    }
}
