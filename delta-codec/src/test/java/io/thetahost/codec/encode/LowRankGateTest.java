package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.IOException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The gate turns away updates of full rank and lets low-rank ones through to the detector. */
class LowRankGateTest {
    private static final int M = 512;
    private static final int N = 384;
    private static final int MAX_RANK = N / 4;

    private final SplittableRandom random = new SplittableRandom(3);

    @Test
    void noiseIsNotLowRank() throws IOException {
        float[] update = new float[M * N];
        for (int i = 0; i < update.length; i++) {
            update[i] = (float) (random.nextGaussian() * 1e-3);
        }
        assertFalse(gate(update));
    }

    @Test
    void aLowRankUpdateMayBe() throws IOException {
        int rank = 6;
        double[] b = new double[M * rank];
        double[] a = new double[rank * N];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextGaussian();
        }
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian() * 1e-3;
        }
        float[] update = new float[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double d = 0;
                for (int k = 0; k < rank; k++) {
                    d += b[i * rank + k] * a[k * N + j];
                }
                update[i * N + j] = (float) d;
            }
        }
        assertTrue(gate(update));
    }

    @Test
    void positiveDefinitenessIsDecidedAgainstTheThreshold() {
        assertTrue(LowRankGate.allEigenvaluesAbove(new double[][] {{4, 1}, {1, 3}}, 1.0));
        // Eigenvalues 5 and 0: a rank-one matrix.
        assertFalse(LowRankGate.allEigenvaluesAbove(new double[][] {{4, 2}, {2, 1}}, 1e-9));
    }

    /** The gate on base zero and target the update. */
    private static boolean gate(float[] update) throws IOException {
        byte[] target = new byte[update.length * 4];
        for (int i = 0; i < update.length; i++) {
            Elements.set(target, i, 4, Float.floatToRawIntBits(update[i]) & 0xffffffffL);
        }
        Shape shape = Shape.of(M, N);
        return LowRankGate.mayBeLowRank(TensorInput.of(DType.F32, shape, target),
                TensorInput.of(DType.F32, shape, new byte[target.length]), MAX_RANK, SvdLowRankDetector.NOISE_FLOOR);
    }
}
