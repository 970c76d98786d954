package io.thetahost.codec.encode;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A tensor an encoder reads, as often as it needs, from the start. */
public interface TensorInput {
    DType dtype();

    Shape shape();

    /** The raw little-endian bytes, from the first. */
    InputStream open() throws IOException;

    default long byteSize() {
        return dtype().sizeOf(shape().elements());
    }

    /** A tensor stored at {@code offset} in a file (a checkpoint's data area), read in place. */
    static TensorInput inFile(java.nio.file.Path file, long offset, DType dtype, Shape shape) {
        long length = dtype.sizeOf(shape.elements());
        return new TensorInput() {
            @Override
            public DType dtype() {
                return dtype;
            }

            @Override
            public Shape shape() {
                return shape;
            }

            @Override
            public InputStream open() throws IOException {
                java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file);
                channel.position(offset);
                InputStream in = java.nio.channels.Channels.newInputStream(channel);
                return new java.io.BufferedInputStream(new java.io.FilterInputStream(in) {
                    private long left = length;

                    @Override
                    public int read() throws IOException {
                        if (left <= 0) {
                            return -1;
                        }
                        int b = super.read();
                        if (b >= 0) {
                            left--;
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (left <= 0) {
                            return -1;
                        }
                        int n = super.read(b, off, (int) Math.min(len, left));
                        if (n > 0) {
                            left -= n;
                        }
                        return n;
                    }
                }, 1 << 16);
            }
        };
    }

    /** A tensor held in memory (tests, and small tensors). */
    static TensorInput of(DType dtype, Shape shape, byte[] raw) {
        if (raw.length != dtype.sizeOf(shape.elements())) {
            throw new IllegalArgumentException(raw.length + " bytes for a " + dtype.formatName() + " " + shape
                    + " tensor of " + dtype.sizeOf(shape.elements()) + " bytes");
        }
        return new TensorInput() {
            @Override
            public DType dtype() {
                return dtype;
            }

            @Override
            public Shape shape() {
                return shape;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(raw);
            }
        };
    }
}
