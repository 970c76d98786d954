package io.thetahost.codec.encode;

import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.openblas.global.openblas;

/**
 * Row-major matrices of doubles in native memory, and the few BLAS and LAPACK routines the low-rank detector needs
 * (OpenBLAS through JavaCPP's bindings), called directly. ND4J did the same through its array objects, whose
 * bookkeeping (shape buffers, op contexts, a native allocation per result, a copy per layout change) cost about 30
 * microseconds an operation: on the fixtures' small matrices that was half of the detector's time, more than the
 * products themselves.
 *
 * <p>Every matrix belongs to one instance, which frees them all when closed: memory is what one detection holds at once
 * (D or one chunk of it, and the sketches), returned when it ends.
 */
final class NativeMatrices implements AutoCloseable {
    private static final int ROW_MAJOR = openblas.CblasRowMajor;
    private static final int NO_TRANSPOSE = openblas.CblasNoTrans;
    private static final int TRANSPOSE = openblas.CblasTrans;

    static {
        // JavaCPP reads /proc/self/statm at every native allocation to compare the resident set with this limit: a
        // sixth of the detector's time on small matrices. The launchers' -Xmx, which bounds JavaCPP's own count of
        // what it allocated (maxBytes, which stays), and this class's freeing of every matrix bound the memory. Set
        // before the bindings load, which read it once.
        if (System.getProperty("org.bytedeco.javacpp.maxPhysicalBytes") == null) {
            System.setProperty("org.bytedeco.javacpp.maxPhysicalBytes", "0");
        }
        // The encoder's callers run tensors in parallel already, so a product's own threads would only compete with
        // them (and OpenBLAS's spin-waiting threads cost more than the products on small matrices).
        openblas.blas_set_num_threads(1);
    }

    private final List<DoublePointer> owned = new ArrayList<>();

    /** A matrix of {@code rows x columns} doubles, uninitialized, freed when this instance is closed. */
    Matrix allocate(long rows, long columns) {
        DoublePointer p = new DoublePointer(Math.multiplyExact(rows, columns));
        if (p.isNull()) {
            throw new OutOfMemoryError("no native memory for a " + rows + " x " + columns + " matrix of doubles");
        }
        owned.add(p);
        return new Matrix(p, rows, columns);
    }

    /** A matrix holding {@code values} (row-major). */
    Matrix of(double[] values, long rows, long columns) {
        Matrix m = allocate(rows, columns);
        m.buffer().put(0, values);
        return m;
    }

    @Override
    public void close() {
        for (DoublePointer p : owned) {
            p.deallocate();
        }
        owned.clear();
    }

    /** A row-major matrix in native memory; a view of some rows of another shares its memory. */
    static final class Matrix {
        private final DoublePointer data;
        final long rows;
        final long columns;

        private Matrix(DoublePointer data, long rows, long columns) {
            this.data = data;
            this.rows = rows;
            this.columns = columns;
        }

        /** Rows {@code first} to {@code first + count} of this matrix, sharing its memory. */
        Matrix rows(long first, long count) {
            if (first < 0 || count < 0 || first + count > rows) {
                throw new IndexOutOfBoundsException("rows " + first + " to " + (first + count) + " of " + rows);
            }
            return new Matrix(new DoublePointer(data).position(data.position() + first * columns), count, columns);
        }

        /** The values as a buffer over the same memory (absolute puts and gets; at most 2^31 - 1 values). */
        DoubleBuffer buffer() {
            return data.asBuffer();
        }

        /** All values, row-major, copied to the heap. */
        double[] values() {
            double[] out = new double[Math.toIntExact(rows * columns)];
            buffer().get(0, out);
            return out;
        }
    }

    /**
     * {@code c = op(a) * op(b) + beta * c}, where op transposes when asked; c must have the product's shape. With
     * {@code beta} 0, c's previous values are not read (BLAS's rule), so c may be uninitialized.
     */
    static void multiply(Matrix a, boolean transposeA, Matrix b, boolean transposeB, double beta, Matrix c) {
        long m = transposeA ? a.columns : a.rows;
        long k = transposeA ? a.rows : a.columns;
        long kb = transposeB ? b.columns : b.rows;
        long n = transposeB ? b.rows : b.columns;
        if (k != kb || c.rows != m || c.columns != n) {
            throw new IllegalArgumentException("cannot multiply " + shape(a, transposeA) + " by " + shape(b, transposeB)
                    + " into " + c.rows + " x " + c.columns);
        }
        openblas.cblas_dgemm(ROW_MAJOR, transposeA ? TRANSPOSE : NO_TRANSPOSE, transposeB ? TRANSPOSE : NO_TRANSPOSE,
                Math.toIntExact(m), Math.toIntExact(n), Math.toIntExact(k), 1.0, a.data, Math.toIntExact(a.columns),
                b.data, Math.toIntExact(b.columns), beta, c.data, Math.toIntExact(c.columns));
    }

    private static String shape(Matrix x, boolean transposed) {
        return transposed ? x.columns + " x " + x.rows : x.rows + " x " + x.columns;
    }

    /**
     * Replaces {@code a} (rows x k, rows at least k) with the Q of its QR factorization: orthonormal columns spanning
     * a's (LAPACK's dgeqrf, then dorgqr).
     */
    void orthonormalize(Matrix a) {
        int rows = Math.toIntExact(a.rows);
        int k = Math.toIntExact(a.columns);
        Matrix tau = allocate(1, k);
        check(openblas.LAPACKE_dgeqrf(ROW_MAJOR, rows, k, a.data, k, tau.data), "dgeqrf");
        check(openblas.LAPACKE_dorgqr(ROW_MAJOR, rows, k, k, a.data, k, tau.data), "dorgqr");
    }

    /**
     * The eigen-decomposition of a symmetric matrix (LAPACK's dsyev, from its upper triangle): returns the
     * eigenvalues, ascending, and replaces {@code a} with the eigenvectors, one per column in the same order.
     */
    double[] symmetricEigen(Matrix a) {
        int k = Math.toIntExact(a.rows);
        if (a.columns != k) {
            throw new IllegalArgumentException("not square: " + a.rows + " x " + a.columns);
        }
        Matrix values = allocate(1, k);
        check(openblas.LAPACKE_dsyev(ROW_MAJOR, (byte) 'V', (byte) 'U', k, a.data, k, values.data), "dsyev");
        return values.values();
    }

    private static void check(int info, String routine) {
        if (info != 0) {
            throw new ArithmeticException(routine + " failed (info " + info + ")");
        }
    }
}
