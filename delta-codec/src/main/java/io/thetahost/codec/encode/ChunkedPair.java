package io.thetahost.codec.encode;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a target, and optionally its base, in the same row-aligned chunks, one chunk of each in memory at a time. A
 * held tensor ({@link TensorInput.Held}) read in one chunk is given as it is, not copied: callers never write into a
 * chunk.
 */
final class ChunkedPair implements AutoCloseable {
    private final TensorInput targetInput;
    private final TensorInput baseInput;
    private final InputStream target;
    private final InputStream base;
    private final long chunkCount;
    private final long rowsPerChunk;
    private final TensorInput shape;
    private long next;
    private byte[] targetChunk;
    private byte[] baseChunk;

    ChunkedPair(TensorInput target, TensorInput base, long rowsPerChunk) throws IOException {
        this.shape = target;
        this.rowsPerChunk = rowsPerChunk;
        long rows = target.shape().rows();
        this.chunkCount = rows == 0 ? 0 : (rows + rowsPerChunk - 1) / rowsPerChunk;
        this.targetInput = target;
        this.baseInput = base;
        this.target = target.open();
        this.base = base == null ? null : base.open();
    }

    boolean next() throws IOException {
        if (next == chunkCount) {
            return false;
        }
        long rows = Math.min(rowsPerChunk, shape.shape().rows() - next * rowsPerChunk);
        int bytes = Math.toIntExact(shape.dtype().sizeOf(rows * shape.shape().rowElements()));
        boolean whole = chunkCount == 1;
        targetChunk = whole && targetInput instanceof TensorInput.Held h ? h.bytes() : read(target, bytes, "target");
        baseChunk = base == null ? null
                : whole && baseInput instanceof TensorInput.Held h ? h.bytes() : read(base, bytes, "base");
        next++;
        return true;
    }

    long index() {
        return next - 1;
    }

    long firstRow() {
        return (next - 1) * rowsPerChunk;
    }

    byte[] target() {
        return targetChunk;
    }

    byte[] base() {
        return baseChunk;
    }

    private static byte[] read(InputStream in, int bytes, String which) throws IOException {
        // Straight into one array: readNBytes(int) gathers 16 KiB pieces and copies them, twice the allocation.
        byte[] b = new byte[bytes];
        int n = in.readNBytes(b, 0, bytes);
        if (n != bytes) {
            throw new IOException(which + " tensor ended early: " + n + " of " + bytes + " bytes in a chunk");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        try {
            target.close();
        } finally {
            if (base != null) {
                base.close();
            }
        }
    }
}
