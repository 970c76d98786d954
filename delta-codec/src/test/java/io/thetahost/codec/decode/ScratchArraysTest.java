package io.thetahost.codec.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.codec.encode.EncoderOptions;
import io.thetahost.codec.encode.KindEncoders;
import io.thetahost.codec.encode.TensorInput;
import io.thetahost.codec.format.DecodeLimits;
import io.thetahost.codec.format.ScratchArrays;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Arrays a decoding thread gives back serve its next tensor (ScratchArrays): what each tensor decodes to must not
 * change, whatever the order, sizes and chains, and an array is never handed to two users at once.
 */
class ScratchArraysTest {
    private static final DecodeLimits LIMITS = DecodeLimits.defaults();
    /** Chunks of 16 KiB: the tensors below span several, the last one shorter. */
    private final KindEncoders kinds = new KindEncoders(EncoderOptions.defaults().withChunkBytes(16 << 10));
    private final SplittableRandom random = new SplittableRandom(11);

    @AfterEach
    void stop() {
        ScratchArrays.stopKeeping();
    }

    @Test
    void aThreadThatDoesNotAskKeepsNothing() {
        byte[] a = ScratchArrays.takeExactly(1000);
        ScratchArrays.giveBack(a);
        assertNotSame(a, ScratchArrays.takeExactly(1000));
    }

    @Test
    void arraysGivenBackAreTakenAgainOnceEachWithinTheBound() {
        ScratchArrays.keepOnThisThread(10_000);
        byte[] small = new byte[1000];
        byte[] large = new byte[4000];
        ScratchArrays.giveBack(large);
        ScratchArrays.giveBack(small);
        ScratchArrays.giveBack(small);
        assertSame(small, ScratchArrays.takeAtLeast(500), "the smallest that is large enough");
        assertNotSame(small, ScratchArrays.takeExactly(1000), "given back twice, taken once");
        assertSame(large, ScratchArrays.takeExactly(4000));
        assertNotSame(large, ScratchArrays.takeExactly(4000));

        byte[] first = new byte[6000];
        byte[] second = new byte[6000];
        ScratchArrays.giveBack(first);
        ScratchArrays.giveBack(second);
        assertSame(second, ScratchArrays.takeExactly(6000), "over the bound the oldest goes");
        assertNotSame(first, ScratchArrays.takeExactly(6000));
        ScratchArrays.giveBack(new byte[20_000]);
        assertEquals(1, ScratchArrays.takeAtLeast(1).length, "an array larger than the bound is not kept");
    }

    @Test
    void tensorsDecodeTheSameWhenTheirArraysAreReused() throws IOException {
        ScratchArrays.keepOnThisThread(1 << 20);
        Shape shape = Shape.of(40, 300);
        Shape other = Shape.of(17, 333);
        byte[] a = GaussianFloats.of(random, shape);
        byte[] b = a.clone();
        for (int i = 0; i < b.length; i += 397) {
            b[i] ^= 1;
        }
        byte[] c = GaussianFloats.of(random, other);
        TensorId aId = TensorId.of(DType.F32, shape, a);
        TensorId bId = TensorId.of(DType.F32, shape, b);
        TensorId cId = TensorId.of(DType.F32, other, c);
        byte[] aDense = dense(a, aId, shape);
        byte[] cDense = dense(c, cId, other);
        ByteArrayOutputStream patch = new ByteArrayOutputStream();
        kinds.xor(TensorInput.of(DType.F32, shape, b), bId, TensorInput.of(DType.F32, shape, a), aId, patch);
        BaseLookup bases = id -> Optional.of(new BaseTensor(DType.F32, shape,
                DecodingStream.openAsBase(new ByteArrayInputStream(aDense), none -> Optional.empty(), LIMITS)));

        for (int round = 0; round < 3; round++) {
            assertArrayEquals(a, decode(aDense, bases, aId), "dense, round " + round);
            assertArrayEquals(b, decode(patch.toByteArray(), bases, bId), "xor on a base decoded alongside");
            assertArrayEquals(c, decode(cDense, bases, cId), "another size");
        }
        // A stream given up on half way gives its arrays back too, and the next tensor is whole.
        DecodingStream half = DecodingStream.open(new ByteArrayInputStream(aDense), bases, LIMITS);
        half.readNBytes(a.length / 2);
        half.close();
        assertThrows(IOException.class, half::read, "nothing is read after close");
        assertArrayEquals(c, decode(cDense, bases, cId));
    }

    private byte[] decode(byte[] encoding, BaseLookup bases, TensorId id) throws IOException {
        try (DecodingStream s = DecodingStream.open(new ByteArrayInputStream(encoding), bases, LIMITS)) {
            byte[] out = s.readAllBytes();
            assertEquals(id, s.verifiedId());
            return out;
        }
    }

    private byte[] dense(byte[] raw, TensorId id, Shape shape) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        kinds.dense(TensorInput.of(DType.F32, shape, raw), id, out);
        return out.toByteArray();
    }
}
