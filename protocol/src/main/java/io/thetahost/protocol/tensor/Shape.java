package io.thetahost.protocol.tensor;

import java.util.Arrays;

/** A tensor's dimensions. Zero dimensions is a scalar (one element); a zero-length dimension is an empty tensor. */
public final class Shape {
    /** More dimensions than any real checkpoint uses; more is taken as hostile input. */
    public static final int MAX_DIMENSIONS = 32;

    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /** @throws IllegalArgumentException for negative dimensions, too many, or an element count over a long */
    public static Shape of(long... dims) {
        if (dims.length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("a shape of " + dims.length + " dimensions (at most "
                    + MAX_DIMENSIONS + ")");
        }
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has too many elements");
            }
        }
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int i) {
        return dims[i];
    }

    public long[] dims() {
        return dims.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /**
     * Rows as the codecs see a tensor: the first dimension (one row for a scalar), each row holding the product of
     * the other dimensions (one element for a vector).
     */
    public long rows() {
        return dims.length == 0 ? 1 : dims[0];
    }

    public long rowElements() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(((Shape) o).dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** As safetensors writes it: {@code [160, 480]}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return b.append(']').toString();
    }
}
