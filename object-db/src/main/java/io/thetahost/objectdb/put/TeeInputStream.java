package io.thetahost.objectdb.put;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Passes an upload's bytes to the decoder and copies them, as they pass, to where they are stored (pieces in RocksDB,
 * or the spool file a cluster front uploads once they are verified), so an encoding is read once. {@link #stop()}
 * ends the copying (the tensor turned out to be stored already, or to need re-encoding). Closing it closes neither
 * stream: the upload's belongs to the caller of put.
 */
public final class TeeInputStream extends InputStream {
    private final InputStream in;
    private OutputStream copy;
    private long copied;

    public TeeInputStream(InputStream in, OutputStream copy) {
        this.in = in;
        this.copy = copy;
    }

    public void stop() {
        copy = null;
    }

    /** Bytes copied so far. */
    public long copied() {
        return copied;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0 && copy != null) {
            copy.write(b);
            copied++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int n = in.read(b, off, len);
        if (n > 0 && copy != null) {
            copy.write(b, off, n);
            copied += n;
        }
        return n;
    }

    /** Skipped bytes must be copied too, so skipping reads. */
    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() {
        copy = null;
    }
}
