package io.thetahost.codec.encode;

import io.thetahost.codec.numeric.Elements;
import io.thetahost.codec.numeric.FloatElements;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finds low rank in {@code D = f32(target) - f32(base)} with a randomized SVD (Halko, Martinsson and Tropp): a
 * random projection {@code Y = D * Omega} with one power iteration, an orthonormal basis Q of Y, and the
 * eigen-decomposition of the small matrix {@code (Q^T D)(Q^T D)^T}. D is never held whole: each pass reads it in
 * row chunks, so memory is O((m + n) * k) for a sketch of k columns, bounded by the configured rank.
 *
 * <p>Encoder-side only (ND4J, double precision); the factors it returns go through the canonical apply, and the
 * residual makes the result exact whatever their precision.
 */
final class SvdLowRankDetector implements LowRankDetector {
    /** Singular values below this fraction of the largest are taken as rounding noise. */
    static final double NOISE_FLOOR = 1e-4;
    /** The largest rank worth looking for, whatever the matrix. */
    static final int MAX_RANK = 256;
    private static final int OVERSAMPLE = 8;

    @Override
    public Optional<LowRankFactors> detect(TensorInput target, TensorInput base, EncoderOptions options)
            throws IOException {
        if (target.shape().rank() != 2 || FloatElements.of(target.dtype()).isEmpty()) {
            return Optional.empty();
        }
        int m = Math.toIntExact(target.shape().dim(0));
        int n = Math.toIntExact(target.shape().dim(1));
        // Factors of rank r cost (m + n) r values against m n for the whole update: beyond a quarter they rarely pay.
        int maxRank = Math.min(MAX_RANK, Math.min(m, n) / 4);
        if (maxRank < 1) {
            return Optional.empty();
        }
        // Most updates that are not of low rank are found so from a few hundred rows, before D is read in full.
        if (!LowRankGate.mayBeLowRank(target, base, maxRank, NOISE_FLOOR)) {
            return Optional.empty();
        }
        int k = Math.min(maxRank + OVERSAMPLE, Math.min(m, n));
        Passes passes = new Passes(target, base, options, m, n);
        INDArray omega = gaussian(n, k);
        INDArray y = passes.times(omega);
        if (y == null) {
            return Optional.empty();
        }
        INDArray z = passes.transposeTimes(y);
        y = passes.times(z);
        INDArray q = y.dup('f');
        Nd4j.getBlasWrapper().lapack().geqrf(q, Nd4j.create(DataType.DOUBLE, new long[] {k, k}, 'f'));
        INDArray c = passes.transposeTimes(q).transpose();
        INDArray vectors = c.mmul(c.transpose()).dup('f');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        double largest = Math.sqrt(Math.max(0, values.getDouble(k - 1)));
        if (largest == 0) {
            return Optional.empty();
        }
        int rank = 0;
        while (rank < k && Math.sqrt(Math.max(0, values.getDouble(k - 1 - rank))) > NOISE_FLOOR * largest) {
            rank++;
        }
        if (rank > maxRank) {
            return Optional.empty();
        }
        INDArray w = Nd4j.create(DataType.DOUBLE, k, rank);
        for (int j = 0; j < rank; j++) {
            w.putColumn(j, vectors.getColumn(k - 1 - j));
        }
        INDArray b = q.mmul(w);
        INDArray a = w.transpose().mmul(c);
        return Optional.of(new LowRankFactors(rank, m, n, floats(b, m, rank), floats(a, rank, n)));
    }

    private static INDArray gaussian(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(0x5eedL);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            // Box-Muller from a seeded generator: the same sketch every run, so encodings are reproducible.
            double u1 = 1 - random.nextDouble();
            double u2 = random.nextDouble();
            v[i] = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }
        return Nd4j.create(v, new long[] {rows, cols}, 'c');
    }

    private static float[] floats(INDArray x, int rows, int cols) {
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                out[i * cols + j] = (float) x.getDouble(i, j);
            }
        }
        return out;
    }

    /** Products with D, computed a row chunk at a time. */
    private static final class Passes {
        private final TensorInput target;
        private final TensorInput base;
        private final long rowsPerChunk;
        private final int m;
        private final int n;
        private final FloatElements f;
        private final int width;

        Passes(TensorInput target, TensorInput base, EncoderOptions options, int m, int n) {
            this.target = target;
            this.base = base;
            this.m = m;
            this.n = n;
            this.f = FloatElements.of(target.dtype()).orElseThrow();
            this.width = target.dtype().byteSize();
            // A chunk of D in doubles is twice a float32 chunk: halve the rows to keep within the configured size.
            this.rowsPerChunk = Math.max(1, Chunking.rowsPerChunk(target.dtype(), target.shape(),
                    options.chunkBytes()) * width / 8);
        }

        /** D * x (m x cols), or null when D holds a non-finite value (no low rank to find there). */
        INDArray times(INDArray x) throws IOException {
            INDArray out = Nd4j.create(DataType.DOUBLE, m, x.columns());
            try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
                while (chunks.next()) {
                    INDArray d = difference(chunks);
                    if (d == null) {
                        return null;
                    }
                    long first = chunks.firstRow();
                    out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + d.rows()),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(d.mmul(x));
                }
            }
            return out;
        }

        /** D^T * x (n x cols). */
        INDArray transposeTimes(INDArray x) throws IOException {
            INDArray out = Nd4j.create(DataType.DOUBLE, n, x.columns());
            try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
                while (chunks.next()) {
                    INDArray d = difference(chunks);
                    long first = chunks.firstRow();
                    INDArray rows = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + d.rows()),
                            org.nd4j.linalg.indexing.NDArrayIndex.all());
                    out.addi(d.transpose().mmul(rows));
                }
            }
            return out;
        }

        private INDArray difference(ChunkedPair chunks) {
            byte[] t = chunks.target();
            byte[] b = chunks.base();
            int rows = t.length / width / n;
            double[] d = new double[rows * n];
            for (int i = 0; i < d.length; i++) {
                double v = (double) f.toFloat(Elements.get(t, i, width)) - f.toFloat(Elements.get(b, i, width));
                if (!Double.isFinite(v)) {
                    return null;
                }
                d[i] = v;
            }
            return Nd4j.create(d, new long[] {rows, n}, 'c');
        }
    }
}
