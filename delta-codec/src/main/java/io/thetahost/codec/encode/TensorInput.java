package io.thetahost.codec.encode;

import io.thetahost.protocol.tensor.DType;
import io.thetahost.protocol.tensor.Shape;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A tensor an encoder reads, as often as it needs, from the start. */
public interface TensorInput {
    DType dtype();

    Shape shape();

    /** The raw little-endian bytes, from the first. */
    InputStream open() throws IOException;

    default long byteSize() {
        return dtype().sizeOf(shape().elements());
    }

    /** Opens a tensor's bytes from the start. */
    interface Opener {
        InputStream open() throws IOException;
    }

    /** A tensor whose bytes {@code opener} gives. */
    record Of(DType dtype, Shape shape, Opener opener) implements TensorInput {
        @Override
        public InputStream open() throws IOException {
            return opener.open();
        }
    }

    /** A tensor stored at {@code offset} in a file (a checkpoint's data area), read in place. */
    static TensorInput inFile(Path file, long offset, DType dtype, Shape shape) {
        long length = dtype.sizeOf(shape.elements());
        return new Of(dtype, shape, () -> {
            FileChannel channel = FileChannel.open(file);
            channel.position(offset);
            return new BufferedInputStream(new Bounded(Channels.newInputStream(channel), length), 1 << 16);
        });
    }

    /** A tensor held in memory (tests, and small tensors). */
    static TensorInput of(DType dtype, Shape shape, byte[] raw) {
        if (raw.length != dtype.sizeOf(shape.elements())) {
            throw new IllegalArgumentException(raw.length + " bytes for a " + dtype.formatName() + " " + shape
                    + " tensor of " + dtype.sizeOf(shape.elements()) + " bytes");
        }
        return new Held(dtype, shape, raw);
    }

    /**
     * The tensor read once into memory, when it holds at most {@code limit} bytes; otherwise the tensor as it is. An
     * encoder reads a tensor several times (a sample, the low-rank gate, the detector's first pass, the full encode),
     * and each read of a stored base decodes it again: a small tensor is worth holding. Memory: at most
     * {@code limit} bytes, which readers of a held tensor share rather than copy ({@link ChunkedPair}).
     */
    static TensorInput held(TensorInput tensor, long limit) throws IOException {
        if (tensor instanceof Held || tensor.byteSize() > limit) {
            return tensor;
        }
        int length = Math.toIntExact(tensor.byteSize());
        byte[] raw = new byte[length];
        try (InputStream in = tensor.open()) {
            int n = in.readNBytes(raw, 0, length);
            if (n != length) {
                throw new IOException("tensor ended early: " + n + " of " + length + " bytes");
            }
        }
        return new Held(tensor.dtype(), tensor.shape(), raw);
    }

    /** A tensor in memory. Its bytes are shared with whoever reads them whole, and nobody writes them. */
    record Held(DType dtype, Shape shape, byte[] bytes) implements TensorInput {
        @Override
        public InputStream open() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** Reads at most {@code left} bytes of a stream. */
    final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long length) {
            super(in);
            this.left = length;
        }

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

        /** Skips within the tensor only, and counts what it skipped (a file channel skips by seeking). */
        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, Math.max(0, left)));
            left -= skipped;
            return skipped;
        }
    }
}
