package io.thetahost.codec.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.thetahost.codec.encode.NativeMatrices.Matrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The detector's BLAS and LAPACK calls, checked against the same arithmetic written out in Java. */
class NativeMatricesTest {
    private final Random random = new Random(7);

    @Test
    void productsWithEitherOperandTransposedMatchTheirDefinition() {
        int m = 5;
        int k = 7;
        int n = 3;
        double[] a = values(m * k);
        double[] b = values(k * n);
        double[] at = transpose(a, m, k);
        double[] bt = transpose(b, k, n);
        double[] expected = product(a, b, m, k, n);
        try (NativeMatrices memory = new NativeMatrices()) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Matrix left = ta ? memory.of(at, k, m) : memory.of(a, m, k);
                    Matrix right = tb ? memory.of(bt, n, k) : memory.of(b, k, n);
                    Matrix c = memory.allocate(m, n);
                    NativeMatrices.multiply(left, ta, right, tb, 0, c);
                    assertArrayEquals(expected, c.values(), 1e-12, "transposed " + ta + ", " + tb);
                }
            }
        }
    }

    @Test
    void aProductIntoSomeRowsLeavesTheOthersAndBetaOneAdds() {
        double[] a = values(2 * 3);
        double[] b = values(3 * 2);
        double[] ab = product(a, b, 2, 3, 2);
        try (NativeMatrices memory = new NativeMatrices()) {
            Matrix c = memory.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
            NativeMatrices.multiply(memory.of(a, 2, 3), false, memory.of(b, 3, 2), false, 0, c.rows(1, 2));
            assertArrayEquals(new double[] {1, 2, ab[0], ab[1], ab[2], ab[3], 7, 8}, c.values(), 1e-12);
            NativeMatrices.multiply(memory.of(a, 2, 3), false, memory.of(b, 3, 2), false, 1, c.rows(2, 2));
            assertArrayEquals(new double[] {1, 2, ab[0], ab[1], ab[2] + ab[0], ab[3] + ab[1], 7 + ab[2], 8 + ab[3]},
                    c.values(), 1e-12);
        }
    }

    @Test
    void shapesThatDoNotMultiplyAreRefused() {
        try (NativeMatrices memory = new NativeMatrices()) {
            Matrix a = memory.allocate(2, 3);
            assertThrows(IllegalArgumentException.class,
                    () -> NativeMatrices.multiply(a, false, a, false, 0, memory.allocate(2, 3)));
            assertThrows(IndexOutOfBoundsException.class, () -> a.rows(1, 2));
        }
    }

    @Test
    void orthonormalizedColumnsAreOrthonormalAndSpanTheSameSpace() {
        int rows = 9;
        int k = 4;
        double[] y = values(rows * k);
        try (NativeMatrices memory = new NativeMatrices()) {
            Matrix q = memory.of(y, rows, k);
            memory.orthonormalize(q);
            double[] qv = q.values();
            double[] qtq = product(transpose(qv, rows, k), qv, k, rows, k);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    assertEquals(i == j ? 1 : 0, qtq[i * k + j], 1e-12);
                }
            }
            // Y = Q (Q^T Y): each column of Y lies in Q's span.
            double[] back = product(qv, product(transpose(qv, rows, k), y, k, rows, k), rows, k, k);
            assertArrayEquals(y, back, 1e-12);
        }
    }

    @Test
    void eigenvaluesComeAscendingWithTheirVectorsInColumns() {
        int k = 5;
        double[] x = values(k * k);
        double[] s = product(transpose(x, k, k), x, k, k, k);
        try (NativeMatrices memory = new NativeMatrices()) {
            Matrix a = memory.of(s, k, k);
            double[] values = memory.symmetricEigen(a);
            double[] vectors = a.values();
            for (int j = 0; j < k; j++) {
                if (j > 0) {
                    assertEquals(true, values[j - 1] <= values[j], "ascending");
                }
                for (int i = 0; i < k; i++) {
                    double sv = 0;
                    for (int l = 0; l < k; l++) {
                        sv += s[i * k + l] * vectors[l * k + j];
                    }
                    assertEquals(values[j] * vectors[i * k + j], sv, 1e-10, "S v = lambda v, vector " + j);
                }
            }
        }
    }

    private double[] values(int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    private static double[] transpose(double[] x, int rows, int cols) {
        double[] t = new double[x.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = x[i * cols + j];
            }
        }
        return t;
    }

    private static double[] product(double[] a, double[] b, int m, int k, int n) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int l = 0; l < k; l++) {
                    sum += a[i * k + l] * b[l * n + j];
                }
                c[i * n + j] = sum;
            }
        }
        return c;
    }
}
