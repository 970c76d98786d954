package io.thetahost.codec.encode;

import io.thetahost.codec.numeric.FloatElements;
import java.io.IOException;

/**
 * A cheap test that an update {@code D = f32(target) - f32(base)} is not of low rank, before the detector reads the
 * whole matrix several times. It rests on interlacing: a submatrix's singular values are no larger than the
 * matrix's, so if {@code maxRank + 1} rows, restricted to a few columns, have {@code maxRank + 1} singular values above
 * the detector's noise floor, D has too. The floor is taken from an estimate of {@code ||D||_F}, which is at least
 * D's largest singular value, so the test errs towards letting the detector run. Cost: reading {@code maxRank + 1}
 * rows and a Gram matrix of {@code (maxRank + 1)^2 * COLUMN_FACTOR * (maxRank + 1)} multiply-adds; memory the same
 * submatrix (twice), at most 257 x 514 doubles.
 */
final class LowRankGate {
    /**
     * Columns per sampled row: more than the rows, so that noise (bfloat16 rounding, say) keeps the submatrix's
     * smallest singular values well clear of zero, as it does the whole matrix's.
     */
    static final int COLUMN_FACTOR = 2;

    private LowRankGate() {
    }

    /**
     * @param noiseFloor singular values below this fraction of the largest are noise (the detector's floor)
     * @return false when D is surely not of rank {@code maxRank} or less at that floor; true when it may be (and
     *     when a sampled difference is not finite: the detector finds that in its sketch)
     */
    static boolean mayBeLowRank(TensorInput target, TensorInput base, int maxRank, double noiseFloor)
            throws IOException {
        int m = Math.toIntExact(target.shape().dim(0));
        int n = Math.toIntExact(target.shape().dim(1));
        int s = maxRank + 1;
        if (s > m || s > n) {
            return true;
        }
        int c = Math.min(n, COLUMN_FACTOR * s);
        RowDifference difference = new RowDifference(FloatElements.of(target.dtype()).orElseThrow(), n);
        RowSample sample = RowSample.read(target, base, 1, s);
        double[][] sub = new double[s][c];
        double[] d = new double[n];
        double sampledSquares = 0;
        int r = 0;
        for (RowSample.Block row : sample.blocks()) {
            difference.read(row.target(), row.base(), 0, d, 0);
            for (int j = 0; j < n; j++) {
                sampledSquares += d[j] * d[j];
            }
            for (int next = 0; next < c; next++) {
                sub[r][next] = d[(int) ((long) next * n / c)];
            }
            r++;
        }
        double frobeniusSquared = sampledSquares * m / s;
        double threshold = noiseFloor * noiseFloor * frobeniusSquared;
        if (threshold == 0) {
            return true;
        }
        return !allEigenvaluesAbove(gram(sub), threshold);
    }

    /** {@code X X^T} (its lower triangle, which is all the factorization reads). */
    private static double[][] gram(double[][] x) {
        int s = x.length;
        int c = s == 0 ? 0 : x[0].length;
        double[][] columns = new double[c][s];
        for (int i = 0; i < s; i++) {
            for (int k = 0; k < c; k++) {
                columns[k][i] = x[i][k];
            }
        }
        double[][] g = new double[s][s];
        for (int i = 0; i < s; i++) {
            double[] gi = g[i];
            for (int k = 0; k < c; k++) {
                double xik = x[i][k];
                double[] ck = columns[k];
                // A multiply-add over j, which the JIT turns into vector instructions (a dot product it would not).
                for (int j = 0; j <= i; j++) {
                    gi[j] += xik * ck[j];
                }
            }
        }
        return g;
    }

    /**
     * Whether every eigenvalue of the symmetric {@code g} exceeds {@code threshold}: exactly when {@code g - threshold
     * I} is positive definite, which its Cholesky factorization finds (in place) without computing any eigenvalue.
     */
    static boolean allEigenvaluesAbove(double[][] g, double threshold) {
        int s = g.length;
        for (int i = 0; i < s; i++) {
            g[i][i] -= threshold;
        }
        for (int j = 0; j < s; j++) {
            double[] gj = g[j];
            double d = gj[j];
            for (int k = 0; k < j; k++) {
                d -= gj[k] * gj[k];
            }
            if (!(d > 0)) {
                return false;
            }
            double pivot = Math.sqrt(d);
            gj[j] = pivot;
            for (int i = j + 1; i < s; i++) {
                double[] gi = g[i];
                double v = gi[j];
                for (int k = 0; k < j; k++) {
                    v -= gi[k] * gj[k];
                }
                gi[j] = v / pivot;
            }
        }
        return true;
    }
}
