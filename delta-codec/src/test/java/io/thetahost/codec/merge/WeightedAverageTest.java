package io.thetahost.codec.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.protocol.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The canonical weighted average: float32 steps in a fixed order, rounded to the tensor's dtype. */
class WeightedAverageTest {

    @Test
    void float32IsEachProductThenTheSumRoundedToFloat32() {
        SplittableRandom random = new SplittableRandom(5);
        float[] a = new float[1000];
        float[] b = new float[1000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
            b[i] = (float) random.nextGaussian() * 1e-3f;
        }
        for (float w : new float[] {0.5f, 0.3f, 1f, 0f}) {
            float[] expected = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                float x = w * a[i];
                float y = (1f - w) * b[i];
                expected[i] = x + y;
            }
            assertArrayEquals(f32(expected), WeightedAverage.apply(f32(a), f32(b), DType.F32, w));
        }
    }

    @Test
    void bfloat16RoundsTheFloat32ResultToNearestEven() {
        // 1.0 and 1.0078125 (the next bf16 up): their average 1.00390625 is a tie, which rounds to the even 1.0.
        byte[] a = {(byte) 0x80, 0x3f};
        byte[] b = {(byte) 0x81, 0x3f};
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3f}, WeightedAverage.apply(a, b, DType.BF16, 0.5f));
        // 1.0 and 1.0234375 (three steps up) average to 1.01171875, a tie between steps 1 and 2: even is 2.
        byte[] c = {(byte) 0x83, 0x3f};
        assertArrayEquals(new byte[] {(byte) 0x82, 0x3f}, WeightedAverage.apply(a, c, DType.BF16, 0.5f));
    }

    @Test
    void integersAndBadWeightsAreRefused() {
        byte[] four = new byte[4];
        assertThrows(IllegalArgumentException.class, () -> WeightedAverage.apply(four, four, DType.I32, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> WeightedAverage.apply(four, four, DType.F32, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> WeightedAverage.apply(four, four, DType.F32, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> WeightedAverage.apply(four, new byte[8], DType.F32, 0.5f));
    }

    private static byte[] f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }
}
