package io.thetahost.codec.encode;

import io.thetahost.codec.numeric.FloatElements;
import java.io.IOException;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.blas.impl.BaseLapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.MemoryWorkspaceManager;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Finds low rank in {@code D = f32(target) - f32(base)} with a randomized SVD (Halko, Martinsson and Tropp): a
 * random projection {@code Y = D * Omega}, carried once more through D to {@code Z = D^T Y} (D's row space, each
 * direction weighted by its singular value squared), an orthonormal basis Q of Z, and the eigen-decomposition of the
 * small matrix {@code (D Q)^T (D Q)}; then {@code D ~ (D Q) Q^T}. Three passes over D: the full power iteration
 * ({@code Q} from {@code D D^T D Omega}, then {@code Q^T D}) took four, for encodings 0.08% smaller on the fixtures'
 * LoRA merge (472,279 against 472,661 bytes) and the same on the generated bench pair, at a quarter more of the
 * detector's time; a sketch without the pass through {@code D^T} left the factors too coarse (larger residuals).
 * D is held whole only when one chunk holds it;
 * otherwise each pass reads it in row chunks, so memory is one chunk plus O((m + n) * k) for a sketch of k columns,
 * bounded by the configured rank. A sketch for rank {@link #FIRST_SKETCH_RANK} comes first, the full one only when
 * that one finds more.
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
    /** The rank the first, cheaper sketch is sized for. */
    static final int FIRST_SKETCH_RANK = 16;
    /**
     * Small matrices are sketched in a workspace of {@link #WORKSPACE_BYTES} per thread, reused from one tensor to the
     * next: each fresh native array otherwise cost a malloc and the page faults of its first touch, which on small
     * matrices took longer than the products (a 160 x 480 D: 0.3 to 1 ms to allocate and fill, 0.1 ms to fill in a
     * workspace). Only when D in doubles fits in {@link #WORKSPACE_MATRIX_BYTES}, which leaves room for the sketches
     * ({@code (m + n) * k} doubles a few times over); anything beyond spills to ordinary allocations. Memory: this much
     * per thread that has sketched a small matrix, for the thread's life.
     */
    static final long WORKSPACE_BYTES = 4L << 20;
    static final long WORKSPACE_MATRIX_BYTES = 1L << 20;
    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(WORKSPACE_BYTES)
            .policyLearning(LearningPolicy.NONE)
            .policySpill(SpillPolicy.EXTERNAL)
            .build();

    static {
        // JavaCPP reads /proc/self/statm at every native allocation to compare the resident set with this limit, and
        // ND4J's OpenMP threads spin and yield around every product: together a third of the detector's time on
        // small matrices (fixtures, on one core: 55 -> 35 ms). The launchers' -Xmx and JavaCPP's maxBytes (which
        // stays, counted without reading /proc) bound the memory; the encoder's callers run tensors in parallel
        // already, so a product's own threads only compete with them.
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
    }

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
        MemoryWorkspaceManager workspaces = Nd4j.getWorkspaceManager();
        try (MemoryWorkspace scope = (long) m * n * Double.BYTES <= WORKSPACE_MATRIX_BYTES
                ? workspaces.getAndActivateWorkspace(WORKSPACE, "low-rank-detector")
                : workspaces.scopeOutOfWorkspaces()) {
            return detect(target, base, options, m, n, maxRank);
        }
    }

    private Optional<LowRankFactors> detect(TensorInput target, TensorInput base, EncoderOptions options, int m, int n,
            int maxRank) throws IOException {
        int k = Math.min(maxRank + OVERSAMPLE, Math.min(m, n));
        Passes passes = new Passes(target, base, options, m, n);
        // Updates are mostly of small rank (LoRA's 4 to 64): a sketch of FIRST_SKETCH_RANK columns finds those at a
        // fraction of the cost of one sized for maxRank. Only when its spectrum has not fallen below the noise floor
        // within the sketch (less than the oversampling to spare) is the full one made.
        int first = Math.min(k, FIRST_SKETCH_RANK + OVERSAMPLE);
        Sketch sketch = sketch(passes, first, m, n);
        if (sketch != null && sketch.rank() > first - OVERSAMPLE && first < k) {
            sketch = sketch(passes, k, m, n);
        }
        if (sketch == null || sketch.rank() > maxRank) {
            return Optional.empty();
        }
        return Optional.of(sketch.factors());
    }

    /** What a sketch of D found: how many singular values stand above the noise floor, and the factors of that rank. */
    private record Sketch(int rank, INDArray dq, INDArray q, INDArray vectors, int k, int m, int n) {
        LowRankFactors factors() {
            // The leading eigenvectors (the last columns, eigenvalues ascending), gathered in Java: a column moved
            // through getColumn and putColumn cost two native operations, about 0.1 ms, each.
            double[] all = new double[k * k];
            vectors.dup('c').data().asNioDouble().get(all);
            double[] leading = new double[k * rank];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < rank; j++) {
                    leading[i * rank + j] = all[i * k + (k - 1 - j)];
                }
            }
            // D ~ (D Q) Q^T ~ (D Q W) (W^T Q^T): B = D Q W, A = W^T Q^T = (Q W)^T.
            INDArray w = matrix(leading, k, rank);
            INDArray b = Nd4j.gemm(dq, w, false, false);
            INDArray a = Nd4j.gemm(w, q, true, true);
            return new LowRankFactors(rank, m, n, floats(b, m, rank), floats(a, rank, n));
        }
    }

    /** A randomized sketch of D of {@code k} columns, or null when D holds a non-finite value or is zero. */
    private static Sketch sketch(Passes passes, int k, int m, int n) throws IOException {
        INDArray omega = randomSigns(n, k);
        INDArray y = passes.times(omega);
        if (!finite(y)) {
            return null;
        }
        INDArray q = orthonormalBasis(passes.transposeTimes(y), n, k);
        INDArray dq = passes.times(q);
        INDArray vectors = Nd4j.gemm(dq, dq, true, false).dup('f');
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        double largest = Math.sqrt(Math.max(0, values.getDouble(k - 1)));
        if (largest == 0) {
            return null;
        }
        int rank = 0;
        while (rank < k && Math.sqrt(Math.max(0, values.getDouble(k - 1 - rank))) > NOISE_FLOOR * largest) {
            rank++;
        }
        return new Sketch(rank, dq, q, vectors, k, m, n);
    }

    /**
     * Q of the QR factorization of {@code y} (rows x k): LAPACK's geqrf and orgqr through ND4J's CPU backend, asked for
     * no R. Its {@code geqrf(A, R)} copies R out and zeroes R's lower triangle one ND4J operation per row, which cost
     * several times the factorization on the fixtures' sketches (480 x 24 and smaller: 2 of the detector's 14 ms a
     * checkpoint).
     */
    private static INDArray orthonormalBasis(INDArray y, int rows, int k) {
        INDArray q = y.dup('f');
        ((BaseLapack) Nd4j.getBlasWrapper().lapack()).dgeqrf(rows, k, q, null, null);
        return q;
    }

    /**
     * Whether every value of {@code y = D * Omega} is finite, which is whether D's are: Omega's entries are all plus
     * or minus one, so a non-finite element of D makes every value of its row of y non-finite (a sum holding an
     * infinity or a NaN is one), and differences of finite floats sum to far less than a double's range.
     */
    private static boolean finite(INDArray y) {
        java.nio.DoubleBuffer values = y.data().asNioDouble();
        long count = y.length();
        for (int i = 0; i < count; i++) {
            double v = values.get(i);
            if (v - v != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The sketch's test matrix: random signs (Rademacher), which find a range as well as Gaussian entries do (Halko,
     * Martinsson and Tropp, section 4.6) at the cost of one random bit each, where Box-Muller's logarithm and cosine
     * took a quarter of the detector's time on small matrices. Seeded: the same sketch every run, so encodings are
     * reproducible.
     */
    private static INDArray randomSigns(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(0x5eedL);
        double[] v = new double[rows * cols];
        long bits = 0;
        for (int i = 0; i < v.length; i++) {
            if ((i & 63) == 0) {
                bits = random.nextLong();
            }
            v[i] = (bits & 1) == 0 ? 1 : -1;
            bits >>>= 1;
        }
        return matrix(v, rows, cols);
    }

    /**
     * A row-major matrix holding {@code values}, filled in one copy: {@code Nd4j.create(double[], ...)} copies element
     * by element, which cost as much as the products on small matrices.
     */
    private static INDArray matrix(double[] values, int rows, int cols) {
        INDArray a = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {rows, cols}, 'c');
        a.data().asNioDouble().put(values);
        return a;
    }

    /** {@code x} as float32 values, row-major, read in one copy. */
    private static float[] floats(INDArray x, int rows, int cols) {
        double[] values = new double[rows * cols];
        x.dup('c').data().asNioDouble().get(values);
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /**
     * Products with D, computed a row chunk at a time. Through {@link Nd4j#gemm} with transpose flags: {@code mmul}
     * of a transposed view copies the operand first.
     */
    private static final class Passes {
        private final TensorInput target;
        private final TensorInput base;
        private final long rowsPerChunk;
        private final int m;
        private final int n;
        private final FloatElements f;
        private final int width;
        private INDArray whole;

        Passes(TensorInput target, TensorInput base, EncoderOptions options, int m, int n) {
            this.target = target;
            this.base = base;
            this.m = m;
            this.n = n;
            this.f = FloatElements.of(target.dtype()).orElseThrow();
            this.width = target.dtype().byteSize();
            // A chunk of D in doubles is twice a float32 chunk: halve the bytes to keep within the configured size (the
            // budget, not the rows it gives: a matrix that fits whole must stay whole, or every pass reads it again).
            this.rowsPerChunk = Chunking.rowsPerChunk(target.dtype(), target.shape(),
                    Math.max(1, options.chunkBytes() * width / 8));
        }

        /** D * x (m x cols). */
        INDArray times(INDArray x) throws IOException {
            if (whole != null) {
                return Nd4j.gemm(whole, x, false, false);
            }
            INDArray out = Nd4j.create(DataType.DOUBLE, m, x.columns());
            try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
                while (chunks.next()) {
                    INDArray d = difference(chunks);
                    keepIfWhole(chunks, d);
                    long first = chunks.firstRow();
                    out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + d.rows()),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(d.mmul(x));
                }
            }
            return out;
        }

        /** D^T * x (n x cols). */
        INDArray transposeTimes(INDArray x) throws IOException {
            if (whole != null) {
                return Nd4j.gemm(whole, x, true, false);
            }
            INDArray out = Nd4j.create(DataType.DOUBLE, n, x.columns());
            try (ChunkedPair chunks = new ChunkedPair(target, base, rowsPerChunk)) {
                while (chunks.next()) {
                    INDArray d = difference(chunks);
                    long first = chunks.firstRow();
                    INDArray rows = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(first, first + d.rows()),
                            org.nd4j.linalg.indexing.NDArrayIndex.all());
                    out.addi(Nd4j.gemm(d, rows.dup(), true, false));
                }
            }
            return out;
        }

        /**
         * D whole, kept after the first pass when one chunk holds all of it (small matrices): the later passes then
         * read no tensor bytes. Memory: that one chunk, as during a pass.
         */
        private void keepIfWhole(ChunkedPair chunks, INDArray d) {
            if (chunks.firstRow() == 0 && d.rows() == m) {
                whole = d;
            }
        }

        /** The chunk's rows of D, written a row at a time into the native array (no copy of D on the heap). */
        private INDArray difference(ChunkedPair chunks) {
            byte[] t = chunks.target();
            byte[] b = chunks.base();
            int rows = t.length / width / n;
            INDArray d = Nd4j.createUninitialized(DataType.DOUBLE, new long[] {rows, n}, 'c');
            java.nio.DoubleBuffer into = d.data().asNioDouble();
            double[] row = new double[n];
            RowDifference difference = new RowDifference(f, n);
            for (int i = 0; i < rows; i++) {
                difference.read(t, b, i * n, row, 0);
                into.put(row);
            }
            return d;
        }
    }
}
