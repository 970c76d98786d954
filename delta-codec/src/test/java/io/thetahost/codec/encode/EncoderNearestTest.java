package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import io.thetahost.protocol.tensor.TensorId;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Of several bases, the one the target differs from in fewest bits is chosen, and history's order breaks ties. */
class EncoderNearestTest {
    private static final Shape SHAPE = Shape.of(64, 48);
    private final SplittableRandom random = new SplittableRandom(5);
    private final Encoder encoder = new Encoder(EncoderOptions.defaults(), LowRankDetector.available());

    private byte[] changed(byte[] from, int elements) {
        byte[] out = from.clone();
        for (int k = 0; k < elements; k++) {
            Elements.set(out, random.nextInt(64 * 48), 4, random.nextInt() & 0xffffffffL);
        }
        return out;
    }

    private static Encoder.Base base(Shape shape, byte[] raw) {
        return new Encoder.Base(TensorInput.of(DType.F32, shape, raw), TensorId.of(DType.F32, shape, raw));
    }

    @Test
    void theBaseWithFewestChangedElementsWins() throws IOException {
        byte[] original = changed(new byte[64 * 48 * 4], 64 * 48);
        byte[] target = changed(original, 20);
        byte[] far = changed(target, 2_000);
        byte[] nearer = changed(target, 200);
        TensorInput t = TensorInput.of(DType.F32, SHAPE, target);
        List<Encoder.Base> bases = List.of(base(SHAPE, far), base(SHAPE, nearer), base(SHAPE, original));
        assertEquals(bases.get(2), encoder.nearest(t, bases, 2).orElseThrow());
        bases = List.of(base(SHAPE, far), base(SHAPE, original), base(SHAPE, nearer));
        assertEquals(bases.get(1), encoder.nearest(t, bases, 2).orElseThrow());
    }

    @Test
    void equallyNearBasesGoToTheFirstListed() throws IOException {
        byte[] target = changed(new byte[64 * 48 * 4], 64 * 48);
        byte[] a = target.clone();
        byte[] b = target.clone();
        for (int i = 0; i < a.length; i += 4) { // every element differs, in both: a LoRA update looks like this
            a[i] ^= 1;
            b[i] ^= 2;
        }
        TensorInput t = TensorInput.of(DType.F32, SHAPE, target);
        List<Encoder.Base> bases = List.of(base(SHAPE, a), base(SHAPE, b));
        assertEquals(bases.get(0), encoder.nearest(t, bases, 2).orElseThrow());
    }

    @Test
    void aBaseOfAnotherShapeIsNeverChosen() throws IOException {
        byte[] target = changed(new byte[64 * 48 * 4], 64 * 48);
        Shape other = Shape.of(48, 64);
        TensorInput t = TensorInput.of(DType.F32, SHAPE, target);
        assertEquals(Optional.empty(), encoder.nearest(t, List.of(base(other, target.clone())), 1));
        List<Encoder.Base> bases = List.of(base(other, target.clone()), base(SHAPE, changed(target, 9)));
        assertEquals(bases.get(1), encoder.nearest(t, bases, 2).orElseThrow());
    }

    @Test
    void whereEveryElementChangedTheSmallerChangeWins() throws IOException {
        byte[] target = changed(new byte[64 * 48 * 4], 64 * 48);
        byte[] tuned = target.clone(); // a full fine-tune: every element moved in its low mantissa bits
        byte[] unrelated = target.clone(); // every element moved far
        for (int i = 0; i < 64 * 48; i++) {
            Elements.set(tuned, i, 4, Elements.get(tuned, i, 4) ^ 0x3L);
            Elements.set(unrelated, i, 4, Elements.get(unrelated, i, 4) ^ 0x00ff_ffffL);
        }
        TensorInput t = TensorInput.of(DType.F32, SHAPE, target);
        List<Encoder.Base> bases = List.of(base(SHAPE, unrelated), base(SHAPE, tuned));
        assertEquals(bases.get(1), encoder.nearest(t, bases, 2).orElseThrow());
    }

    @Test
    void aScreenOnASampleFindsTheNearestBaseAmongMoreThanAreComparedInFull() throws IOException {
        Shape big = Shape.of(512, 256); // 512 KiB of f32: more than the sample
        byte[] target = new byte[512 * 256 * 4];
        for (int i = 0; i < target.length; i += 4) {
            Elements.set(target, i / 4, 4, random.nextInt() & 0xffffffffL);
        }
        List<Encoder.Base> bases = new java.util.ArrayList<>();
        for (int far = 0; far < 5; far++) {
            bases.add(base(big, changedAnywhere(target, 40_000)));
        }
        Encoder.Base nearest = base(big, changedAnywhere(target, 500));
        bases.add(nearest);
        TensorInput t = TensorInput.of(DType.F32, big, target);
        assertEquals(nearest, encoder.nearest(t, bases, 1).orElseThrow());
        assertEquals(nearest, encoder.nearest(t, bases, 2).orElseThrow());
    }

    private byte[] changedAnywhere(byte[] from, int elements) {
        byte[] out = from.clone();
        int count = from.length / 4;
        for (int k = 0; k < elements; k++) {
            int i = random.nextInt(count);
            Elements.set(out, i, 4, Elements.get(out, i, 4) ^ 0x5a5a5aL);
        }
        return out;
    }
}
