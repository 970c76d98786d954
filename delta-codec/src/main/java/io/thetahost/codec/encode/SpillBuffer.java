package io.thetahost.codec.encode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds bytes written once and read back (an encoding while the encoder compares candidates, a tensor while it is
 * stored): in memory up to a threshold, then in a temporary file, so a huge tensor costs disk, not heap. The memory is
 * a list of blocks, each written once and never copied: no doubling of one array, and reading back copies nothing.
 */
public final class SpillBuffer extends OutputStream {
    private static final int FIRST_BLOCK = 64 << 10;
    private static final int LARGEST_BLOCK = 4 << 20;

    private final long memoryLimit;
    private List<byte[]> blocks = new ArrayList<>();
    /** Bytes used in the last block. */
    private int lastUsed;
    private Path file;
    private OutputStream fileOut;
    private long size;

    public SpillBuffer(long memoryLimit) {
        this.memoryLimit = memoryLimit;
    }

    /**
     * A buffer that expects about {@code expectedBytes}: its memory is taken in one block of that size when it fits
     * the threshold, so writing the expected bytes allocates once.
     */
    public static SpillBuffer expecting(long expectedBytes, long memoryLimit) {
        SpillBuffer buffer = new SpillBuffer(memoryLimit);
        if (expectedBytes > 0 && expectedBytes <= memoryLimit) {
            buffer.blocks.add(new byte[(int) expectedBytes]);
        }
        return buffer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (fileOut == null && size + len > memoryLimit) {
            spill();
        }
        if (fileOut != null) {
            fileOut.write(b, off, len);
            size += len;
            return;
        }
        while (len > 0) {
            byte[] last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
            if (last == null || lastUsed == last.length) {
                int next = last == null ? FIRST_BLOCK : Math.min(LARGEST_BLOCK, last.length * 2);
                last = new byte[(int) Math.min(Math.max(next, len), memoryLimit - size)];
                blocks.add(last);
                lastUsed = 0;
            }
            int n = Math.min(len, last.length - lastUsed);
            System.arraycopy(b, off, last, lastUsed, n);
            lastUsed += n;
            off += n;
            len -= n;
            size += n;
        }
    }

    private void spill() throws IOException {
        file = Files.createTempFile("thetahost-encoding-", ".tenc");
        fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        long left = size;
        for (byte[] block : blocks) {
            int n = (int) Math.min(block.length, left);
            fileOut.write(block, 0, n);
            left -= n;
        }
        blocks = null;
    }

    public long size() {
        return size;
    }

    /** The bytes written, from the start. */
    public InputStream open() throws IOException {
        if (fileOut != null) {
            fileOut.flush();
            return new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
        }
        return new BlocksInputStream(List.copyOf(blocks), size);
    }

    /** The bytes written, for encodings small enough to hold. */
    public byte[] toByteArray() throws IOException {
        try (InputStream in = open()) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() throws IOException {
        blocks = null;
        if (fileOut != null) {
            fileOut.close();
            Files.deleteIfExists(file);
            fileOut = null;
        }
    }

    /** Reads the first {@code size} bytes of a list of blocks. */
    private static final class BlocksInputStream extends InputStream {
        private final List<byte[]> blocks;
        private long left;
        private int block;
        private int offset;

        BlocksInputStream(List<byte[]> blocks, long size) {
            this.blocks = blocks;
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (left == 0) {
                return -1;
            }
            while (offset == blocks.get(block).length) {
                block++;
                offset = 0;
            }
            byte[] current = blocks.get(block);
            int n = (int) Math.min(Math.min(len, current.length - offset), left);
            System.arraycopy(current, offset, b, off, n);
            offset += n;
            left -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, left);
        }
    }
}
