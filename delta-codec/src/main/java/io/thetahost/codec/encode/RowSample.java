package io.thetahost.codec.encode;

import io.thetahost.codec.encodings.SparseEncoding;
import io.thetahost.codec.numeric.Elements;
import io.thetahost.protocol.tensor.DType;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks of rows of a target (and of its base) spread evenly over the tensor, read without holding the rest: what the
 * encoder prices its candidates on, and the low-rank gate tests. Nothing an encoding holds comes from a sample, so
 * exactness never depends on it; a sample that misses a change only costs size. Memory: the sampled rows (twice once
 * they are joined to be priced as one chunk).
 */
final class RowSample {
    /** Rows {@code firstRow} to {@code firstRow + rows - 1}: the target's bytes, and the base's (null without one). */
    record Block(long firstRow, long rows, byte[] target, byte[] base) {
    }

    private final List<Block> blocks;
    private final long bytes;
    private byte[] joinedTarget;
    private byte[] joinedBase;

    private RowSample(List<Block> blocks) {
        this.blocks = blocks;
        this.bytes = blocks.stream().mapToLong(b -> b.target().length).sum();
    }

    /**
     * Reads {@code count} blocks of {@code rowsPerBlock} rows each (the last block of the tensor may hold fewer),
     * evenly spread; every row of the tensor when it has no more blocks than that.
     *
     * @param rowsPerBlock rows per block; for packed dtypes a multiple that keeps blocks on whole bytes
     *     ({@link Chunking#rowsPerChunk})
     * @param base null to sample the target alone
     */
    static RowSample read(TensorInput target, TensorInput base, long rowsPerBlock, int count) throws IOException {
        long rows = target.shape().rows();
        long rowBits = target.shape().rowElements() * target.dtype().bits();
        long total = rows == 0 ? 0 : (rows + rowsPerBlock - 1) / rowsPerBlock;
        int taken = (int) Math.min(count, total);
        List<Block> blocks = new ArrayList<>(taken);
        try (InputStream t = target.open(); InputStream b = base == null ? null : base.open()) {
            long position = 0;
            for (int k = 0; k < taken; k++) {
                long first = (long) k * total / taken * rowsPerBlock;
                long blockRows = Math.min(rowsPerBlock, rows - first);
                long skip = (first - position) * rowBits / 8;
                int length = Math.toIntExact(blockRows * rowBits / 8);
                t.skipNBytes(skip);
                byte[] tb = readFully(t, length, "target");
                byte[] bb = null;
                if (b != null) {
                    b.skipNBytes(skip);
                    bb = readFully(b, length, "base");
                }
                blocks.add(new Block(first, blockRows, tb, bb));
                position = first + blockRows;
            }
        }
        return new RowSample(blocks);
    }

    List<Block> blocks() {
        return blocks;
    }

    /** The target's bytes in the sample. */
    long bytes() {
        return bytes;
    }

    /** The sampled rows, block after block. */
    RowRanges rows() {
        return new RowRanges(blocks.stream().mapToLong(Block::firstRow).toArray(),
                blocks.stream().mapToLong(Block::rows).toArray());
    }

    /** The target's sampled bytes, block after block: the sample as one chunk of {@link #rows()}. */
    byte[] joinedTarget() {
        if (joinedTarget == null) {
            joinedTarget = join(Block::target);
        }
        return joinedTarget;
    }

    /** The base's, likewise (null without a base). */
    byte[] joinedBase() {
        if (joinedBase == null && !blocks.isEmpty() && blocks.get(0).base() != null) {
            joinedBase = join(Block::base);
        }
        return joinedBase;
    }

    private byte[] join(java.util.function.Function<Block, byte[]> part) {
        if (blocks.size() == 1) {
            return part.apply(blocks.get(0));
        }
        byte[] out = new byte[Math.toIntExact(bytes)];
        int at = 0;
        for (Block b : blocks) {
            byte[] p = part.apply(b);
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The fraction of the sample's units that differ from the base. */
    double changedFraction(DType dtype) {
        long units = 0;
        long changed = 0;
        int width = Elements.unitWidth(dtype.bits());
        for (Block b : blocks) {
            changed += SparseEncoding.countChanges(b.target(), b.base(), dtype);
            units += b.target().length / width;
        }
        return units == 0 ? 0 : (double) changed / units;
    }

    private static byte[] readFully(InputStream in, int length, String which) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException(which + " tensor ended early: " + bytes.length + " of " + length
                    + " bytes in a sampled block");
        }
        return bytes;
    }
}
