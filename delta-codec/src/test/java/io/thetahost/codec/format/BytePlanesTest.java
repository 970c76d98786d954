package io.thetahost.codec.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The byte-plane layout as the format defines it, for every unit width, with and without the sign rotation. */
class BytePlanesTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void planeZeroHoldsTheTopBytesAndJoinUndoesSplit(int width) {
        SplittableRandom random = new SplittableRandom(width);
        for (int count : new int[] {0, 1, 7, 8, 1000, 1003}) {
            byte[] units = new byte[count * width];
            random.nextBytes(units);
            byte[] planes = BytePlanes.split(units, width, false);
            for (int i = 0; i < count; i++) {
                for (int p = 0; p < width; p++) {
                    assertEquals(units[i * width + width - 1 - p], planes[p * count + i], "unit " + i + " plane " + p);
                }
            }
            assertArrayEquals(units, BytePlanes.join(planes, width, false));
            assertArrayEquals(units, BytePlanes.join(BytePlanes.split(units, width, true), width, true));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void joinXorXorsTheJoinedUnitsIntoTheTarget(int width) {
        SplittableRandom random = new SplittableRandom(7 * width);
        for (int count : new int[] {0, 3, 8, 1003}) {
            byte[] units = new byte[count * width];
            byte[] target = new byte[count * width];
            random.nextBytes(units);
            random.nextBytes(target);
            byte[] expected = new byte[target.length];
            for (int i = 0; i < target.length; i++) {
                expected[i] = (byte) (units[i] ^ target[i]);
            }
            BytePlanes.joinXor(BytePlanes.split(units, width, false), width, target);
            assertArrayEquals(expected, target);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void theSignRotationMovesTheTopBitToTheBottom(int width) {
        SplittableRandom random = new SplittableRandom(31 * width);
        int count = 257;
        byte[] units = new byte[count * width];
        random.nextBytes(units);
        byte[] planes = BytePlanes.split(units, width, true);
        for (int i = 0; i < count; i++) {
            int top = units[i * width + width - 1] & 0xff;
            int next = units[i * width + width - 2] & 0xff;
            int low = units[i * width] & 0xff;
            assertEquals((byte) (top << 1 | next >>> 7), planes[i], "unit " + i + ": top plane");
            int bottom = planes[(width - 1) * count + i] & 0xff;
            assertEquals(top >>> 7, bottom & 1, "unit " + i + ": the sign ends as the lowest bit");
            assertEquals((low << 1) & 0xfe, bottom & 0xfe, "unit " + i + ": the low byte moves up a bit");
        }
    }
}
