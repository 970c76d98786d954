package io.thetahost.codec.encodings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.thetahost.codec.format.Section;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The residual gives back the target's exact bits, whatever the difference, for every unit width and length. */
class ResidualTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void applyingTheResidualGivesTheTarget(int width) throws Exception {
        SplittableRandom r = new SplittableRandom(width);
        for (int units : new int[] {1, 3, 8, 9, 1000, 1021}) {
            byte[] target = new byte[units * width];
            byte[] canonical = new byte[units * width];
            r.nextBytes(target);
            r.nextBytes(canonical);
            // Small differences too (the usual ulp), and none: the lanes' carries and signs at their edges.
            for (int i = 0; i < units; i += 3) {
                System.arraycopy(target, i * width, canonical, i * width, width);
                canonical[i * width] += (byte) (r.nextInt(5) - 2);
            }
            Section residual = Residual.section(target, canonical, width).orElseThrow();
            Residual.apply(canonical, residual.data(), width);
            assertArrayEquals(target, canonical, units + " units");
        }
    }
}
