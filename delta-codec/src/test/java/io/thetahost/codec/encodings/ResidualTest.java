package io.thetahost.codec.encodings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thetahost.codec.format.BytePlanes;
import io.thetahost.codec.format.Section;
import io.thetahost.codec.numeric.Elements;
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

    /**
     * The residual's bytes are its definition, whichever loop wrote them: per unit the zigzag of the difference modulo
     * 2^w, split into byte planes (the one-pass loops of widths 2 and 4, across their block boundaries).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void theResidualsBytesAreTheZigzaggedDifferencesInBytePlanes(int width) {
        SplittableRandom r = new SplittableRandom(31 + width);
        for (int units : new int[] {1, 7, 2048, 2049, 5000}) {
            byte[] target = new byte[units * width];
            byte[] canonical = new byte[units * width];
            r.nextBytes(target);
            r.nextBytes(canonical);
            for (int i = 1; i < units; i += 2) {
                System.arraycopy(target, i * width, canonical, i * width, width);
            }
            byte[] zigzags = new byte[target.length];
            int bits = 8 * width;
            for (int i = 0; i < units; i++) {
                long d = Elements.get(target, i, width) - Elements.get(canonical, i, width);
                long signed = bits == 64 ? d : (d << (64 - bits)) >> (64 - bits);
                Elements.set(zigzags, i, width, (signed << 1) ^ (signed >> 63));
            }
            assertArrayEquals(BytePlanes.split(zigzags, width, false),
                    Residual.section(target, canonical, width).orElseThrow().data(), units + " units");
            assertTrue(Residual.section(target, target.clone(), width).isEmpty(), "no residual where none differs");
        }
    }
}
