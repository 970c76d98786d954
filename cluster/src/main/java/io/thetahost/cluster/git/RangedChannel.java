package io.thetahost.cluster.git;

import io.thetahost.cluster.objects.ObjectStore;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import org.eclipse.jgit.internal.storage.dfs.ReadableChannel;

/**
 * A pack file in the object store, read by ranged GETs. JGit reads a block at a time through its block cache; each
 * read from a new position asks for at least a block (or the read-ahead JGit asks for) and continues sequential
 * reads on the same response, so reading an index whole costs one request per block, not one per 8 KiB read.
 */
final class RangedChannel implements ReadableChannel {
    /**
     * The unit of reading and of JGit's cache: large enough that a round trip to the store is worth it, small enough
     * that a random object read does not fetch much more than it needs.
     */
    static final int BLOCK_BYTES = 1 << 20;

    private final ObjectStore store;
    private final String key;
    private long size;
    private long position;
    private int readAhead;
    private InputStream range;
    private long rangePosition;
    private long rangeEnd;
    private boolean open = true;

    /**
     * @param size the object's size when the caller knows it (from the pack's row), else a negative number
     */
    RangedChannel(ObjectStore store, String key, long size) {
        this.store = store;
        this.key = key;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        ensureOpen();
        if (!into.hasRemaining()) {
            return 0;
        }
        long end = size();
        if (position >= end) {
            return -1;
        }
        if (range == null || rangePosition != position || rangePosition >= rangeEnd) {
            closeRange();
            long want = Math.max(Math.max(BLOCK_BYTES, readAhead), into.remaining());
            rangeEnd = Math.min(end, position + want);
            range = store.get(key, position, rangeEnd);
            rangePosition = position;
        }
        int count = (int) Math.min(into.remaining(), rangeEnd - rangePosition);
        int n;
        if (into.hasArray()) {
            n = range.read(into.array(), into.arrayOffset() + into.position(), count);
            if (n > 0) {
                into.position(into.position() + n);
            }
        } else {
            byte[] bytes = new byte[count];
            n = range.read(bytes, 0, count);
            if (n > 0) {
                into.put(bytes, 0, n);
            }
        }
        if (n < 0) {
            closeRange();
            throw new EOFException(key + " ended at byte " + position + " of " + end);
        }
        position += n;
        rangePosition += n;
        return n;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("position " + newPosition + " in " + key);
        }
        position = newPosition;
    }

    @Override
    public long size() throws IOException {
        if (size < 0) {
            size = store.size(key).orElseThrow(() -> new FileNotFoundException("no object " + key));
        }
        return size;
    }

    @Override
    public int blockSize() {
        return BLOCK_BYTES;
    }

    @Override
    public void setReadAheadBytes(int bytes) {
        readAhead = Math.max(0, bytes);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    private void ensureOpen() throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    private void closeRange() throws IOException {
        if (range != null) {
            InputStream r = range;
            range = null;
            r.close();
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        closeRange();
    }
}
